-- The job queue (docs/jobs.md): one shared table for every tenant, so workers find work
-- without scanning tenant schemas, and a job is enqueued in the same transaction as the change
-- that asked for it.
CREATE TYPE autoblog_core.job_state AS ENUM (
  'queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled');

-- High churn: every job is inserted, updated 2-3 times and deleted after the retention, so
-- pages keep room for new row versions (fillfactor 70) and autovacuum runs on a small share of
-- dead rows instead of the default 20 % of the table, without the cost-based sleep that lets
-- dead tuples pile up at a few thousand jobs per second.
CREATE TABLE autoblog_core.jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES autoblog_core.tenants (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,63}$'),
  state autoblog_core.job_state NOT NULL DEFAULT 'queued',
  priority smallint NOT NULL CHECK (priority BETWEEN 0 AND 2),  -- 0 high, 1 normal, 2 low
  -- Virtual time of fair queuing between tenants (docs/jobs.md): claims take the smallest.
  fair_tag double precision NOT NULL,
  -- Counts against the tenant's max_concurrent_generations while running.
  capped boolean NOT NULL DEFAULT false,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  result jsonb,
  idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  attempts integer NOT NULL DEFAULT 0,  -- attempts spent (a snooze or a release gives one back)
  -- The fencing value: one more at every claim, never decreased. Completion, failure and
  -- heartbeats name the claim they belong to, so a worker that lost its lease (frozen,
  -- partitioned) cannot finish or extend the job after another worker claimed it again.
  claims integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
  run_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  lease_owner text,
  lease_expires_at timestamptz,
  last_error text,
  -- The UTC day whose daily content unit this job reserved; refunded when it ends dead,
  -- failed or cancelled.
  quota_day date,
  CHECK ((state = 'running') = (lease_owner IS NOT NULL))
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,
        autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0,
        autovacuum_analyze_scale_factor = 0.02);

-- Claims walk this index in (priority, fair_tag) order.
CREATE INDEX jobs_runnable ON autoblog_core.jobs (priority, fair_tag) WHERE state = 'queued';
-- The janitor finds expired leases here.
CREATE INDEX jobs_leases ON autoblog_core.jobs (lease_expires_at) WHERE state = 'running';
-- A tenant's listing, newest first, and the retention sweep.
CREATE INDEX jobs_tenant_page ON autoblog_core.jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX jobs_finished ON autoblog_core.jobs (finished_at)
  WHERE state IN ('succeeded', 'failed', 'dead', 'cancelled');
-- One unfinished job per idempotency key and tenant.
CREATE UNIQUE INDEX jobs_idempotency ON autoblog_core.jobs (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND state IN ('queued', 'running');

-- Fair queuing state: the virtual finish time of each tenant's last job, per priority, and the
-- virtual clock of each priority (the tag of the newest claimed job).
CREATE TABLE autoblog_core.job_lanes (
  tenant_id uuid NOT NULL REFERENCES autoblog_core.tenants (id) ON DELETE CASCADE,
  priority smallint NOT NULL,
  last_tag double precision NOT NULL,
  PRIMARY KEY (tenant_id, priority)
);
CREATE TABLE autoblog_core.job_clock (
  priority smallint PRIMARY KEY,
  vtime double precision NOT NULL
);
INSERT INTO autoblog_core.job_clock VALUES (0, 0), (1, 0), (2, 0);

-- Running capped jobs per tenant, changed in the same statement as the jobs' state, so the
-- tier's concurrency cap holds across every worker and process. `cap` is the cap seen at the
-- last claim (for skipping saturated tenants cheaply); `granted` the last claim's grant.
CREATE TABLE autoblog_core.job_concurrency (
  tenant_id uuid PRIMARY KEY REFERENCES autoblog_core.tenants (id) ON DELETE CASCADE,
  running integer NOT NULL CHECK (running >= 0),
  cap integer NOT NULL,
  granted integer NOT NULL DEFAULT 0
);

-- Usage per tenant and UTC day: daily content units reserved by generations (reserved in the
-- transaction that enqueues the job, refunded when it ends dead, failed or cancelled).
CREATE TABLE autoblog_core.usage_daily (
  tenant_id uuid NOT NULL REFERENCES autoblog_core.tenants (id) ON DELETE CASCADE,
  day date NOT NULL,
  content_units integer NOT NULL DEFAULT 0 CHECK (content_units >= 0),
  PRIMARY KEY (tenant_id, day)
);
