-- Scheduled trend discovery (docs/trends.md, "Scheduled discovery"): one row per tenant whose
-- brand lists feeds, written by PUT /v1/brand in the same transaction as the brand (deleted when
-- the brand lists none), so the schedulers of every node find due tenants here without reading
-- any tenant schema.
--   every_hours  the brand's sources.every_hours;
--   next_run_at  when the next period is due; NULL = to be planned by the scheduler (a new row,
--                or every_hours changed), from last_period (or created_at) plus every_hours;
--   last_period  the start of the last period whose discover_trends job was enqueued. Claiming
--                a period moves next_run_at past now in the transaction that enqueues the job,
--                so each period runs once, whatever the number of nodes, crashes or restarts.
CREATE TABLE autoblog_core.discovery_schedules (
  tenant_id uuid PRIMARY KEY REFERENCES autoblog_core.tenants (id) ON DELETE CASCADE,
  every_hours integer NOT NULL CHECK (every_hours BETWEEN 1 AND 720),
  next_run_at timestamptz,
  last_period timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The scheduler's scan: rows due or to be planned, oldest first.
CREATE INDEX discovery_schedules_due ON autoblog_core.discovery_schedules
  (next_run_at NULLS FIRST);
