#pragma once
// The scheduler's side of autoblog_core.discovery_schedules (migrations/core/0007; the brand's
// side is content/trends/schedule_queries.h). Design in jobs/scheduler.h.
#include "db/statement.h"

namespace autoblog::jobs::sql {

// Tenants whose schedule is due or to be planned, oldest first, active tenants only: $1 batch,
// $2 how many of them to skip (rows left due by an earlier scan of this tick).
// Read without locks (the claim below decides). Rows of deleted tenants that come due are
// deleted on the way (a deleted tenant keeps its registry row, so the foreign key's cascade
// never fires); a suspended tenant's row waits, due, until it is active again.
inline constexpr db::CoreQuery kDueSchedules{
    "scheduler_due",
    "WITH gone AS (DELETE FROM autoblog_core.discovery_schedules s "
    "  USING autoblog_core.tenants t WHERE t.id = s.tenant_id AND t.status = 'deleted' "
    "    AND (s.next_run_at IS NULL OR s.next_run_at <= now())) "
    "SELECT s.tenant_id FROM autoblog_core.discovery_schedules s "
    "JOIN autoblog_core.tenants t ON t.id = s.tenant_id AND t.status = 'active' "
    "WHERE s.next_run_at IS NULL OR s.next_run_at <= now() "
    "ORDER BY s.next_run_at NULLS FIRST, s.tenant_id LIMIT $1 OFFSET $2"};

// Claims the tenant's due period, in the tenant transaction that then enqueues its job: $2 the
// length of an "hour" in seconds. The row is locked (SKIP LOCKED: a scheduler on another node
// that holds it is left to it) and re-checked on its newest version, so a period another node
// claimed and committed is no longer due here. The period is the latest point of the schedule
// (next_run_at + k·every_hours) not after now: periods missed while no scheduler ran (or the
// tenant was suspended) are run once, not once each. next_run_at moves one step past it.
// A row with no next_run_at is planned first (from the last period, or its creation, plus
// every_hours); if that is still ahead, only next_run_at is written.
// Returns one row when the row was claimed or planned: the period's start (RFC 3339 UTC), NULL
// when only planned. No row: not due, taken by another scheduler, or the tenant not active.
inline constexpr db::TenantCoreQuery kClaimPeriod{
    "scheduler_claim",
    "WITH s AS (SELECT d.tenant_id, d.every_hours * $2::bigint * interval '1 second' AS every, "
    "    coalesce(d.next_run_at, coalesce(d.last_period, d.created_at) "
    "      + d.every_hours * $2::bigint * interval '1 second') AS due "
    "  FROM autoblog_core.discovery_schedules d "
    "  WHERE d.tenant_id = $1 AND (d.next_run_at IS NULL OR d.next_run_at <= now()) "
    "    AND EXISTS (SELECT 1 FROM autoblog_core.tenants t "
    "      WHERE t.id = d.tenant_id AND t.status = 'active') "
    "  FOR UPDATE OF d SKIP LOCKED), "
    "p AS (SELECT tenant_id, every, due, CASE WHEN due <= now() THEN due + every * "
    "    floor(extract(epoch FROM now() - due) / extract(epoch FROM every))::float8 END AS period "
    "  FROM s) "
    "UPDATE autoblog_core.discovery_schedules d "
    "SET next_run_at = coalesce(p.period + p.every, p.due), "
    "  last_period = coalesce(p.period, d.last_period), updated_at = now() "
    "FROM p WHERE d.tenant_id = p.tenant_id "
    "RETURNING to_char(p.period AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"};

}  // namespace autoblog::jobs::sql
