#pragma once
// The brand's side of autoblog_core.discovery_schedules (migrations/core/0007): written in the
// tenant transaction of PUT /v1/brand. The scheduler's side is in jobs/scheduler_queries.h.
#include "db/statement.h"

namespace autoblog::content::trends::queries {

// $2 every_hours. A new row has no next_run_at: the scheduler plans it (created_at +
// every_hours), since only the scheduler knows how long its hour is. A changed every_hours
// clears next_run_at, re-planned from the last run; an unchanged one writes nothing, so a PUT
// that leaves the schedule alone does not move it.
inline constexpr db::TenantCoreQuery kUpsertSchedule{
    "discovery_schedule_upsert",
    "INSERT INTO autoblog_core.discovery_schedules AS s (tenant_id, every_hours) "
    "VALUES ($1, $2::int) "
    "ON CONFLICT (tenant_id) DO UPDATE SET every_hours = EXCLUDED.every_hours, "
    "  next_run_at = NULL, updated_at = now() "
    "WHERE s.tenant_id = $1 AND s.every_hours <> EXCLUDED.every_hours"};

inline constexpr db::TenantCoreQuery kDeleteSchedule{
    "discovery_schedule_delete",
    "DELETE FROM autoblog_core.discovery_schedules WHERE tenant_id = $1"};

}  // namespace autoblog::content::trends::queries
