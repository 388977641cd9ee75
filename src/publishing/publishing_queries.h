#pragma once
// Named SQL of publishing: templates for the tenant's schema (`{schema}.table`), run by a
// TenantTx (db/schema_identifier.h).
#include "content/content_queries.h"
#include "db/statement.h"

namespace autoblog::publishing::queries {

// What publishing needs, with the item's row locked: status, article, image, the brand's
// publishing_config (NULL without a brand), the transaction's now() as RFC 3339 input, the
// per-target outcomes so far.
inline constexpr db::TenantQuery kLockForPublish{
    "publish_lock_item",
    "SELECT c.status, c.generated_content, c.visual_assets, b.publishing_config, now(), "
    "  c.publications "
    "FROM {schema}.content_pipelines c LEFT JOIN {schema}.brand_configs b ON true "
    "WHERE c.id = $1 FOR UPDATE OF c"};

// $2 the status to set (NULL: keep), $3 whether to set published_at to now() ('set'), clear it
// ('clear') or keep it ('keep'), $4 the outcomes to merge into publications (by target key).
inline constexpr db::TenantQuery kRecord{
    "publish_record",
    "UPDATE {schema}.content_pipelines SET "
    " status = COALESCE($2::autoblog_core.content_status, status),"
    " published_at = CASE $3::text WHEN 'set' THEN now() WHEN 'clear' THEN NULL"
    "   ELSE published_at END,"
    " publications = publications || $4::jsonb, updated_at = now() "
    "WHERE id = $1 RETURNING " AUTOBLOG_CONTENT_COLUMNS};

// Tells every node (the change listener) that this tenant's hosted blog changed, at commit.
inline constexpr db::TenantCoreQuery kNotifyBlogChanged{
    "publish_notify_blog",
    "SELECT pg_notify('autoblog_tenant_changed', 'blog-changed:' || t.tenant_id) "
    "FROM (SELECT $1::text AS tenant_id) t WHERE tenant_id = $1"};

}  // namespace autoblog::publishing::queries
