-- Provider budgets shared by every worker process: one row per AI provider, holding the state of
-- two GCRA meters (requests and tokens, as "theoretical arrival times") and the time until which
-- the provider told us to back off (its own 429). One UPDATE per decision keeps the check and
-- the charge atomic across processes; the limits themselves are configuration, sent with each
-- call, so a changed limit applies at once.
CREATE TABLE autoblog_core.provider_budgets (
  provider text PRIMARY KEY CHECK (provider ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
  request_tat timestamptz NOT NULL DEFAULT now(),
  token_tat timestamptz NOT NULL DEFAULT now(),
  blocked_until timestamptz NOT NULL DEFAULT now(),
  -- What the last acquire was told: 0 = granted, else the wait in milliseconds.
  last_wait_ms bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
