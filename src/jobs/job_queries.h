#pragma once
// The job queue's SQL (migrations/core/0004_jobs.sql; design in docs/jobs.md). Queries a
// tenant's request runs (enqueue, quota, get, list, cancel) are TenantCoreQuery: they run on the
// tenant's own transaction with its id bound as $1, so a job exists exactly when the change that
// asked for it committed. The worker's queries (claim, complete, heartbeat, janitor) are
// CoreQuery over every tenant; the ones that finish a job in the handler's transaction are
// TenantCoreQuery again.
// Every transition out of `running` decrements job_concurrency for capped jobs in the same
// statement (and NOTIFYs, so a worker in another process takes the freed slot at once), and every end as dead, failed or cancelled refunds a reserved daily unit in the
// same statement: the counters cannot drift from the rows.
#include "db/statement.h"

namespace autoblog::jobs::sql {

// The last error of a job whose lease ran out (the janitor's requeue), also the reason its
// handler's given_up() hears when that was its last attempt.
#define AUTOBLOG_LEASE_EXPIRED_ERROR "lease expired: the worker stopped renewing it"
inline constexpr std::string_view kLeaseExpiredError = AUTOBLOG_LEASE_EXPIRED_ERROR;

// The job JSON's columns, in db::row_json order (jobs/job_json.cpp).
#define AUTOBLOG_JOB_COLUMNS                                                                \
  "j.id, j.kind, j.state, "                                                                 \
  "CASE j.priority WHEN 0 THEN 'high' WHEN 1 THEN 'normal' ELSE 'low' END, j.attempts, "    \
  "j.max_attempts, j.run_at, j.started_at, j.finished_at, j.last_error, j.result, "         \
  "j.created_at"

// Side effects shared by every statement that moves jobs out of `running` (CTE `moved` with
// tenant_id, capped, left_running) or ends them (state, quota_day): one copy of the counter
// arithmetic.
#define AUTOBLOG_JOB_RELEASE_SLOTS                                                          \
  "slots AS (UPDATE autoblog_core.job_concurrency c SET running = c.running - x.n "         \
  "  FROM (SELECT tenant_id, count(*)::int AS n FROM moved WHERE capped GROUP BY tenant_id) x " \
  "  WHERE c.tenant_id = x.tenant_id), "
#define AUTOBLOG_JOB_REFUND_UNITS                                                           \
  "refund AS (UPDATE autoblog_core.usage_daily u SET content_units = u.content_units - x.n " \
  "  FROM (SELECT tenant_id, quota_day, count(*)::int AS n FROM moved "                     \
  "        WHERE state IN ('dead', 'failed', 'cancelled') AND quota_day IS NOT NULL "       \
  "        GROUP BY tenant_id, quota_day) x "                                               \
  "  WHERE u.tenant_id = x.tenant_id AND u.day = x.quota_day) "

// $1 tenant, $2 kind, $3 priority, $4 fair-queuing step (1/weight), $5 capped, $6 payload,
// $7 idempotency key, $8 max attempts, $9 delay ms, $10 quota day.
// A delayed job takes its tag from the clock without advancing the tenant's lane, so work
// scheduled for later does not push back the tenant's work of today. A duplicate idempotency
// key inserts nothing and returns no row.
inline constexpr db::TenantCoreQuery kEnqueue{
    "job_enqueue",
    "WITH clock AS (SELECT vtime FROM autoblog_core.job_clock WHERE priority = $3), "
    "lane AS (INSERT INTO autoblog_core.job_lanes AS l (tenant_id, priority, last_tag) "
    "  SELECT $1, $3, clock.vtime + $4 FROM clock "
    "  ON CONFLICT (tenant_id, priority) DO UPDATE SET last_tag = CASE WHEN $9::bigint > 0 "
    "    THEN l.last_tag ELSE greatest(l.last_tag, EXCLUDED.last_tag - $4) + $4 END "
    "  RETURNING last_tag), "
    "j AS (INSERT INTO autoblog_core.jobs (tenant_id, kind, priority, fair_tag, capped, payload, "
    "    idempotency_key, max_attempts, run_at, quota_day) "
    "  SELECT $1, $2, $3, CASE WHEN $9::bigint > 0 THEN clock.vtime + $4 ELSE lane.last_tag END, $5, "
    "    $6::jsonb, $7, $8, now() + $9::bigint * interval '1 millisecond', $10::date FROM lane, clock "
    "  ON CONFLICT (tenant_id, idempotency_key) "
    "    WHERE idempotency_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING "
    "  RETURNING *) "
    "SELECT " AUTOBLOG_JOB_COLUMNS " FROM j LEFT JOIN LATERAL "
    "  (SELECT pg_notify('autoblog_jobs', j.priority::text) WHERE j.run_at <= now()) n ON true "
    "WHERE j.tenant_id = $1"};

// N jobs of one kind in one statement (bulk work, benchmarks): tags one step apart after the
// tenant's lane, as N single enqueues would get. $1 tenant, $2 kind, $3 priority, $4 step,
// $5 capped, $6 payload, $7 max attempts, $8 N. Returns the count.
inline constexpr db::TenantCoreQuery kEnqueueMany{
    "job_enqueue_many",
    "WITH clock AS (SELECT vtime FROM autoblog_core.job_clock WHERE priority = $3), "
    "lane AS (INSERT INTO autoblog_core.job_lanes AS l (tenant_id, priority, last_tag) "
    "  SELECT $1, $3, clock.vtime + $4::float8 * $8::int FROM clock "
    "  ON CONFLICT (tenant_id, priority) DO UPDATE "
    "    SET last_tag = greatest(l.last_tag, EXCLUDED.last_tag - $4::float8 * $8::int) + $4::float8 * $8::int "
    "  RETURNING last_tag), "
    "j AS (INSERT INTO autoblog_core.jobs (tenant_id, kind, priority, fair_tag, capped, payload, "
    "    max_attempts) "
    "  SELECT $1, $2, $3, lane.last_tag - $4::float8 * ($8::int - g), $5, $6::jsonb, $7 "
    "  FROM lane, generate_series(1, $8::int) g RETURNING tenant_id) "
    "SELECT (SELECT count(*) FROM j WHERE j.tenant_id = $1), pg_notify('autoblog_jobs', $3::text)"};

// The unfinished job holding an idempotency key (after kEnqueue returned no row). $2 key.
inline constexpr db::TenantCoreQuery kGetByIdempotencyKey{
    "job_get_by_key",
    "SELECT " AUTOBLOG_JOB_COLUMNS " FROM autoblog_core.jobs j WHERE j.tenant_id = $1 "
    "AND j.idempotency_key = $2 AND j.state IN ('queued', 'running')"};

// Reserves one daily content unit of today (UTC): $2 the limit (-1 unlimited). No row: the
// limit is reached. The row lock serialises concurrent reservations of one tenant.
inline constexpr db::TenantCoreQuery kReserveContentUnit{
    "usage_reserve_content_unit",
    "INSERT INTO autoblog_core.usage_daily AS u (tenant_id, day, content_units) "
    "VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1) "
    "ON CONFLICT (tenant_id, day) DO UPDATE SET content_units = u.content_units + 1 "
    "  WHERE u.tenant_id = $1 AND ($2::int < 0 OR u.content_units < $2::int) "
    "RETURNING u.day::text, u.content_units"};

// Today's usage and the running capped jobs: content units, running generations, AI tokens
// and images.
inline constexpr db::TenantCoreQuery kUsageToday{
    "usage_today",
    "SELECT coalesce(u.content_units, 0), "
    "       coalesce((SELECT running FROM autoblog_core.job_concurrency WHERE tenant_id = $1), 0), "
    "       coalesce(u.ai_tokens, 0), coalesce(u.images, 0) "
    "FROM (SELECT 1) one LEFT JOIN autoblog_core.usage_daily u "
    "  ON u.tenant_id = $1 AND u.day = (now() AT TIME ZONE 'UTC')::date"};

// $2 id.
inline constexpr db::TenantCoreQuery kGet{
    "job_get",
    "SELECT " AUTOBLOG_JOB_COLUMNS ", j.payload FROM autoblog_core.jobs j "
    "WHERE j.tenant_id = $1 AND j.id = $2::uuid"};

// Newest first. $2 state or NULL, $3 kind or NULL, $4/$5 cursor (created_at, id) or NULL,
// $6 limit.
inline constexpr db::TenantCoreQuery kList{
    "job_list",
    "SELECT " AUTOBLOG_JOB_COLUMNS " FROM autoblog_core.jobs j WHERE j.tenant_id = $1 "
    "AND ($2::autoblog_core.job_state IS NULL OR j.state = $2::autoblog_core.job_state) "
    "AND ($3::text IS NULL OR j.kind = $3) "
    "AND ($4::timestamptz IS NULL OR (j.created_at, j.id) < ($4::timestamptz, $5::uuid)) "
    "ORDER BY j.created_at DESC, j.id DESC LIMIT $6"};

// Cancels a queued job; no row when it is not queued (or not the tenant's). $2 id.
inline constexpr db::TenantCoreQuery kCancel{
    "job_cancel",
    "WITH moved AS (UPDATE autoblog_core.jobs j SET state = 'cancelled', finished_at = now(), "
    "    last_error = 'cancelled' "
    "  WHERE j.tenant_id = $1 AND j.id = $2::uuid AND j.state = 'queued' "
    "  RETURNING j.*, false AS left_running), " AUTOBLOG_JOB_REFUND_UNITS
    "SELECT " AUTOBLOG_JOB_COLUMNS ", j.payload FROM moved j"};

// The claim (docs/jobs.md): the runnable jobs with the smallest (priority, fair tag), skipping
// rows other workers hold and tenants already at their cap; then, for capped jobs, a grant of
// at most (cap − running) per tenant, taken on the tenant's job_concurrency row — an upsert
// works on the newest row version, so two workers claiming at once cannot both see a free slot.
// Candidates not granted stay queued. The clock of each priority advances to the newest tag
// claimed. $1 owner, $2 batch, $3 lease ms, $4/$5/$6 cap of starter/growth/enterprise (a
// tenant's limits.max_concurrent_generations overrides; negative = unlimited).
// started_at is clock_timestamp(), read after the grant, not now(): now() is the start of the
// claim's transaction, which can precede the commit that freed the slot the claim takes, so a
// job would seem to start before its predecessor under the same cap finished.
// The caps are read per candidate tenant through the tenants' primary key (a join with the
// claimed rows, not with a subquery over every tenant, which the planner hashed whole on every
// claim).
inline constexpr db::CoreQuery kClaim{
    "job_claim",
    "WITH cand AS (SELECT j.id, j.tenant_id, j.capped, j.priority, j.fair_tag "
    "  FROM autoblog_core.jobs j "
    "  WHERE j.state = 'queued' AND j.run_at <= now() "
    "    AND NOT (j.capped AND EXISTS (SELECT 1 FROM autoblog_core.job_concurrency c "
    "      WHERE c.tenant_id = j.tenant_id AND c.running >= c.cap)) "
    "  ORDER BY j.priority, j.fair_tag LIMIT $2 FOR UPDATE SKIP LOCKED), "
    "ranked AS (SELECT id, tenant_id, row_number() OVER (PARTITION BY tenant_id "
    "    ORDER BY priority, fair_tag) AS rn FROM cand WHERE capped), "
    "want AS (SELECT w.tenant_id, w.n, CASE WHEN w.cap < 0 THEN 2147483647 ELSE w.cap END AS cap "
    "  FROM (SELECT r.tenant_id, count(*)::int AS n, "
    "      max(coalesce((t.limits ->> 'max_concurrent_generations')::int, "
    "        CASE t.subscription_tier WHEN 'starter' THEN $4::int WHEN 'growth' THEN $5::int "
    "        ELSE $6::int END)) AS cap "
    "    FROM ranked r JOIN autoblog_core.tenants t ON t.id = r.tenant_id "
    "    GROUP BY r.tenant_id) w), "
    "granted AS (INSERT INTO autoblog_core.job_concurrency AS c (tenant_id, running, cap, granted) "
    "  SELECT tenant_id, least(n, cap), cap, least(n, cap) FROM want "
    "  ON CONFLICT (tenant_id) DO UPDATE "
    "    SET granted = least(EXCLUDED.granted, greatest(EXCLUDED.cap - c.running, 0)), "
    "        running = c.running + least(EXCLUDED.granted, greatest(EXCLUDED.cap - c.running, 0)), "
    "        cap = EXCLUDED.cap "
    "  RETURNING c.tenant_id, c.granted), "
    "chosen AS (SELECT id FROM cand WHERE NOT capped UNION ALL "
    "  SELECT r.id FROM ranked r JOIN granted g ON g.tenant_id = r.tenant_id WHERE r.rn <= g.granted), "
    "claimed AS (UPDATE autoblog_core.jobs j SET state = 'running', attempts = j.attempts + 1, "
    "    claims = j.claims + 1, started_at = clock_timestamp(), lease_owner = $1, "
    "    lease_expires_at = now() + $3 * interval '1 millisecond' "
    "  WHERE j.id = ANY (ARRAY(SELECT id FROM chosen)) "
    "  RETURNING j.id, j.tenant_id, j.kind, j.priority, j.fair_tag, j.capped, j.payload, "
    "    j.attempts, j.max_attempts, j.claims, "
    "    extract(epoch FROM now() - greatest(j.run_at, j.created_at)) AS waited), "
    "tick AS (UPDATE autoblog_core.job_clock k SET vtime = greatest(k.vtime, m.tag) "
    "  FROM (SELECT priority, max(fair_tag) AS tag FROM claimed GROUP BY priority) m "
    "  WHERE k.priority = m.priority) "
    "SELECT id, tenant_id, kind, priority, capped, payload, attempts, max_attempts, claims, waited "
    "FROM claimed ORDER BY priority, fair_tag"};

// Successes of jobs whose handlers wrote nothing of their own, in one statement:
// $1 owner, $2 JSON array of {"id", "claim", "result"}. Returns the ids completed (a job whose
// lease was lost is not among them).
inline constexpr db::CoreQuery kCompleteBatch{
    "job_complete_batch",
    "WITH d AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS d(id uuid, claim int, result jsonb)), "
    "moved AS (UPDATE autoblog_core.jobs j SET state = 'succeeded', finished_at = now(), "
    "    result = d.result, lease_owner = NULL, lease_expires_at = NULL "
    "  FROM d WHERE j.id = d.id AND j.claims = d.claim AND j.lease_owner = $1 "
    "    AND j.state = 'running' AND j.lease_expires_at > now() "
    "  RETURNING j.id, j.tenant_id, j.capped, j.state, j.quota_day), " AUTOBLOG_JOB_RELEASE_SLOTS
    "x AS (SELECT 1) SELECT moved.id FROM moved LEFT JOIN LATERAL (SELECT pg_notify("
    "  'autoblog_jobs', 'slot') WHERE moved.capped) n ON true"};

// One success, in the handler's own tenant transaction (its effects commit with it or not at
// all). $2 id, $3 claim, $4 owner, $5 result. No row: the lease is lost.
inline constexpr db::TenantCoreQuery kCompleteOne{
    "job_complete_one",
    "WITH moved AS (UPDATE autoblog_core.jobs j SET state = 'succeeded', finished_at = now(), "
    "    result = $5::jsonb, lease_owner = NULL, lease_expires_at = NULL "
    "  WHERE j.tenant_id = $1 AND j.id = $2::uuid AND j.claims = $3 AND j.lease_owner = $4 "
    "    AND j.state = 'running' AND j.lease_expires_at > now() "
    "  RETURNING j.id, j.tenant_id, j.capped, j.state, j.quota_day), " AUTOBLOG_JOB_RELEASE_SLOTS
    "x AS (SELECT 1) SELECT moved.id FROM moved LEFT JOIN LATERAL (SELECT pg_notify("
    "  'autoblog_jobs', 'slot') WHERE moved.capped) n ON true"};

// The job row locked while this worker still holds its lease ($2 id, $3 claim, $4 owner): a
// write that must not outlive the lease (a remote id recorded mid-job) commits only if it is.
inline constexpr db::TenantCoreQuery kHoldOne{
    "job_hold_one",
    "SELECT 1 FROM autoblog_core.jobs j WHERE j.tenant_id = $1 AND j.id = $2::uuid "
    "  AND j.claims = $3 AND j.lease_owner = $4 AND j.state = 'running' "
    "  AND j.lease_expires_at > now() FOR UPDATE"};

// A failed attempt: back to queued after $6 ms, or dead when the attempts are spent, or failed
// at once when $7 (permanent). $2 id, $3 claim, $4 owner, $5 error. Returns the new state; no
// row: the lease is lost.
inline constexpr db::TenantCoreQuery kFail{
    "job_fail",
    "WITH moved AS (UPDATE autoblog_core.jobs j SET "
    "    state = CASE WHEN $7::bool THEN 'failed' WHEN j.attempts >= j.max_attempts THEN 'dead' "
    "      ELSE 'queued' END::autoblog_core.job_state, "
    "    finished_at = CASE WHEN $7::bool OR j.attempts >= j.max_attempts THEN now() END, "
    "    run_at = now() + $6 * interval '1 millisecond', last_error = $5, "
    "    lease_owner = NULL, lease_expires_at = NULL "
    "  WHERE j.tenant_id = $1 AND j.id = $2::uuid AND j.claims = $3 AND j.lease_owner = $4 "
    "    AND j.state = 'running' "
    "  RETURNING j.id, j.tenant_id, j.capped, j.state, j.quota_day, j.priority), "
    AUTOBLOG_JOB_RELEASE_SLOTS AUTOBLOG_JOB_REFUND_UNITS
    "SELECT state::text FROM moved LEFT JOIN LATERAL (SELECT pg_notify('autoblog_jobs', "
    "  moved.priority::text) WHERE (moved.state = 'queued' AND $6 = 0) OR moved.capped) n ON true"};

// Back to the queue without spending an attempt: a snooze (provider budget exhausted, tenant
// suspended) after $4 ms, or a release at shutdown ($4 = 0). $1 id, $2 claim, $3 owner.
inline constexpr db::CoreQuery kRelease{
    "job_release",
    "WITH moved AS (UPDATE autoblog_core.jobs j SET state = 'queued', attempts = j.attempts - 1, "
    "    run_at = now() + $4 * interval '1 millisecond', lease_owner = NULL, "
    "    lease_expires_at = NULL "
    "  WHERE j.id = $1::uuid AND j.claims = $2 AND j.lease_owner = $3 AND j.state = 'running' "
    "  RETURNING j.id, j.tenant_id, j.capped, j.state, j.quota_day, j.priority), "
    AUTOBLOG_JOB_RELEASE_SLOTS
    "x AS (SELECT 1) SELECT moved.id FROM moved LEFT JOIN LATERAL (SELECT pg_notify("
    "  'autoblog_jobs', moved.priority::text) WHERE $4 = 0) n ON true"};

// Extends the leases of the owner's running jobs: $1 owner, $2 lease ms, $3 JSON array of
// {"id", "claim"}. Returns the ids still held; the others were lost.
inline constexpr db::CoreQuery kHeartbeat{
    "job_heartbeat",
    "UPDATE autoblog_core.jobs j SET lease_expires_at = now() + $2 * interval '1 millisecond' "
    "FROM jsonb_to_recordset($3::jsonb) AS d(id uuid, claim int) "
    "WHERE j.id = d.id AND j.claims = d.claim AND j.lease_owner = $1 AND j.state = 'running' "
    "RETURNING j.id"};

// The janitor: jobs whose lease expired (their worker died or froze) go back to the queue at
// once, or dead when their attempts are spent. $1 batch. Returns those that ended dead
// (id, tenant, kind, payload) for the kinds' clean-up.
inline constexpr db::CoreQuery kRequeueExpired{
    "job_requeue_expired",
    "WITH expired AS (SELECT id FROM autoblog_core.jobs WHERE state = 'running' "
    "    AND lease_expires_at < now() ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED), "
    "moved AS (UPDATE autoblog_core.jobs j SET "
    "    state = CASE WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE 'queued' END"
    "      ::autoblog_core.job_state, "
    "    finished_at = CASE WHEN j.attempts >= j.max_attempts THEN now() END, run_at = now(), "
    "    last_error = '" AUTOBLOG_LEASE_EXPIRED_ERROR "', lease_owner = NULL, "
    "    lease_expires_at = NULL "
    "  FROM expired WHERE j.id = expired.id "
    "  RETURNING j.id, j.tenant_id, j.capped, j.state, j.quota_day, j.kind, j.payload), "
    AUTOBLOG_JOB_RELEASE_SLOTS AUTOBLOG_JOB_REFUND_UNITS ", "
    "wake AS (SELECT pg_notify('autoblog_jobs', 'requeued') WHERE EXISTS "
    "  (SELECT 1 FROM moved WHERE state = 'queued')) "
    "SELECT m.id, m.tenant_id, m.kind, m.payload, m.state::text, (SELECT count(*) FROM wake) "
    "FROM moved m"};

// A queue table's row count swings by thousands in seconds, faster than autovacuum's analyze
// follows; with stale statistics the claim's plan sorts every queued row instead of reading the
// first ones off jobs_runnable. The janitor refreshes them every few seconds, one worker at a
// time (the advisory lock), when enough rows changed, which costs a sample of the table.
// True for the one worker that should analyze now: the rows changed since the last analyze are
// many for the table's size (so an idle queue costs nothing), and no other worker holds the lock.
inline constexpr db::CoreQuery kRefreshStatsLock{
    "job_stats_lock",
    "SELECT coalesce((SELECT s.n_mod_since_analyze > 1000 + 0.2 * greatest(c.reltuples, 0) "
    "  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
    "  WHERE s.relid = 'autoblog_core.jobs'::regclass), false) "
    "AND pg_try_advisory_xact_lock(7201205)"};
// A utility statement (cannot be prepared): runs as a script.
inline constexpr std::string_view kRefreshStatsScript = "ANALYZE autoblog_core.jobs";

// Finished jobs older than the retention: $1 retention ms, $2 batch. Returns the count.
inline constexpr db::CoreQuery kPrune{
    "job_prune",
    "WITH old AS (SELECT id FROM autoblog_core.jobs "
    "  WHERE state IN ('succeeded', 'failed', 'dead', 'cancelled') "
    "    AND finished_at < now() - $1 * interval '1 millisecond' LIMIT $2) "
    "DELETE FROM autoblog_core.jobs j USING old WHERE j.id = old.id"};

// Operator view (GET /v1/admin/queue).
inline constexpr db::CoreQuery kDepth{
    "job_depth",
    "SELECT CASE priority WHEN 0 THEN 'high' WHEN 1 THEN 'normal' ELSE 'low' END, state::text, "
    "count(*) FROM autoblog_core.jobs WHERE state IN ('queued', 'running') GROUP BY 1, 2 ORDER BY 1, 2"};
inline constexpr db::CoreQuery kOldestRunnable{
    "job_oldest_runnable",
    "SELECT coalesce(extract(epoch FROM now() - min(run_at)), 0) FROM autoblog_core.jobs "
    "WHERE state = 'queued' AND run_at <= now()"};
inline constexpr db::CoreQuery kRunningPerTenant{
    "job_running_per_tenant",
    "SELECT j.tenant_id, t.subscription_tier::text, count(*), count(*) FILTER (WHERE j.capped) "
    "FROM autoblog_core.jobs j JOIN autoblog_core.tenants t ON t.id = j.tenant_id "
    "WHERE j.state = 'running' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 1000"};

}  // namespace autoblog::jobs::sql
