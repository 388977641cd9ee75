#pragma once
// Named SQL of publication requests (jobs/publication_service.h).
#include "content/content_queries.h"
#include "db/statement.h"

namespace autoblog::jobs::sql {

// The item's status and article with its row locked, how many milliseconds from now $2
// (a publish_at, or NULL) lies in the future (0 when not), and its per-target outcomes.
inline constexpr db::TenantQuery kLockForPublishRequest{
    "publish_request_lock",
    "SELECT status, generated_content, visual_assets, "
    "  CASE WHEN $2::timestamptz IS NULL THEN 0 "
    "  ELSE greatest(0, ceil(extract(epoch FROM ($2::timestamptz - now())) * 1000))::bigint END, "
    "  publications "
    "FROM {schema}.content_pipelines WHERE id = $1 FOR UPDATE"};

inline constexpr db::TenantQuery kSetStatus{
    "publish_request_status",
    "UPDATE {schema}.content_pipelines SET status = $2::autoblog_core.content_status, "
    "updated_at = now() WHERE id = $1 RETURNING " AUTOBLOG_CONTENT_COLUMNS};

// Cancels the queued job holding a publish key ($2), so that a newer request replaces it.
inline constexpr db::TenantCoreQuery kCancelQueuedByKey{
    "publish_cancel_queued",
    "UPDATE autoblog_core.jobs SET state = 'cancelled', finished_at = now(), "
    "  last_error = $3 "
    "WHERE tenant_id = $1 AND idempotency_key = $2 AND state = 'queued'"};

}  // namespace autoblog::jobs::sql
