-- AI spending per tenant per UTC day, next to the content units: tokens (prompt + completion,
-- as the provider reported them) and images made. Written by the generation job in the same
-- transaction that stores the article; read by GET /v1/usage, limits.daily_token_budget and the
-- autoblog_tenant_resource_usage metric.
ALTER TABLE autoblog_core.usage_daily
  ADD COLUMN ai_tokens bigint NOT NULL DEFAULT 0 CHECK (ai_tokens >= 0),
  ADD COLUMN images integer NOT NULL DEFAULT 0 CHECK (images >= 0);
