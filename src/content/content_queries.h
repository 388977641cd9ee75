#pragma once
// Named SQL for a tenant's content tables: templates whose tables are written `{schema}.table`,
// rendered for one tenant by its TenantTx (db/schema_identifier.h). Rows come back as plain
// columns in a fixed order (the *_COLUMNS lists below) and content/content_json.h writes the
// response JSON from them: the database only converts each column to text, which costs it less
// than building JSON and formatting timestamps per row.
#include <string_view>

#include "db/statement.h"

namespace autoblog::content::queries {

// Column order read by content_json.cpp (kContentColumns…).
#define AUTOBLOG_CONTENT_COLUMNS                                                           \
  "id, status, inspiration_data, content_brief, generated_content, visual_assets, "       \
  "quality_scores, published_at, created_at, updated_at, generation, publications"

inline constexpr db::TenantQuery kInsert{
    "content_insert",
    "INSERT INTO {schema}.content_pipelines (status, inspiration_data, content_brief) "
    "VALUES ($1::autoblog_core.content_status, $2::jsonb, $3::jsonb) "
    "RETURNING " AUTOBLOG_CONTENT_COLUMNS};

inline constexpr db::TenantReadQuery kGet{"content_get",
                                          "SELECT " AUTOBLOG_CONTENT_COLUMNS
                                          " FROM {schema}.content_pipelines WHERE id = $1"};

// $1 status filter or NULL; $2/$3 cursor (created_at, id) or NULL; $4 limit.
inline constexpr db::TenantQuery kList{
    "content_list",
    "SELECT " AUTOBLOG_CONTENT_COLUMNS " FROM {schema}.content_pipelines "
    "WHERE ($1::autoblog_core.content_status IS NULL OR status = $1::autoblog_core.content_status) "
    "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"};

inline constexpr db::TenantQuery kLockStatus{
    "content_lock_status",
    "SELECT status FROM {schema}.content_pipelines WHERE id = $1 FOR UPDATE"};

// What a PATCH checks and scores against, with the item's row locked: its status, the brand's
// seo_strategy (NULL without a brand) and the transaction's now() (= the updated_at it writes).
inline constexpr db::TenantQuery kLockForEdit{
    "content_lock_for_edit",
    "SELECT c.status, b.seo_strategy, now() FROM {schema}.content_pipelines c "
    "LEFT JOIN {schema}.brand_configs b ON true WHERE c.id = $1 FOR UPDATE OF c"};

// $2/$4 say whether to set content_brief/generated_content to $3/$5 (which may be NULL). With
// generated_content come its quality_scores ($7), and when the article really changes (jsonb
// comparison: key order and spacing do not count) the edit record $8 is merged into generation.
inline constexpr db::TenantQuery kUpdate{
    "content_update",
    "UPDATE {schema}.content_pipelines SET "
    " content_brief = CASE WHEN $2::bool THEN $3::jsonb ELSE content_brief END,"
    " generated_content = CASE WHEN $4::bool THEN $5::jsonb ELSE generated_content END,"
    " quality_scores = CASE WHEN $4::bool THEN $7::jsonb ELSE quality_scores END,"
    " generation = CASE WHEN $4::bool AND generated_content IS DISTINCT FROM $5::jsonb"
    "   THEN COALESCE(generation, '{}'::jsonb) || $8::jsonb ELSE generation END,"
    " status = COALESCE($6::autoblog_core.content_status, status),"
    " updated_at = now() "
    "WHERE id = $1 RETURNING " AUTOBLOG_CONTENT_COLUMNS};

// The approval itself (the service has checked, with the row locked, that the item is generated).
inline constexpr db::TenantQuery kApprove{
    "content_approve",
    "UPDATE {schema}.content_pipelines SET status = 'approved', updated_at = now() "
    "WHERE id = $1 RETURNING " AUTOBLOG_CONTENT_COLUMNS};

// The unique index that keeps one slug per tenant (migrations/tenant/0002_generation.sql).
inline constexpr std::string_view kSlugIndex = "content_pipelines_slug";

inline constexpr db::TenantQuery kDelete{"content_delete",
                                         "DELETE FROM {schema}.content_pipelines WHERE id = $1"};

#define AUTOBLOG_PERFORMANCE_COLUMNS "id, content_id, metrics, tracked_at"

inline constexpr db::TenantQuery kInsertPerformance{
    "performance_insert",
    "INSERT INTO {schema}.content_performance (content_id, metrics, tracked_at) "
    "SELECT $1::uuid, $2::jsonb, COALESCE($3::timestamptz, now()) "
    "WHERE EXISTS (SELECT 1 FROM {schema}.content_pipelines WHERE id = $1::uuid) "
    "RETURNING " AUTOBLOG_PERFORMANCE_COLUMNS};

inline constexpr db::TenantQuery kContentExists{
    "content_exists", "SELECT EXISTS (SELECT 1 FROM {schema}.content_pipelines WHERE id = $1)"};

inline constexpr db::TenantQuery kListPerformance{
    "performance_list",
    "SELECT " AUTOBLOG_PERFORMANCE_COLUMNS " FROM {schema}.content_performance "
    "WHERE content_id = $1 "
    "AND ($2::timestamptz IS NULL OR (tracked_at, id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY tracked_at DESC, id DESC LIMIT $4"};

#define AUTOBLOG_BRAND_COLUMNS                                                       \
  "id, voice_tone, topics, visual_style, seo_strategy, publishing_config, sources, " \
  "created_at, updated_at"

inline constexpr db::TenantReadQuery kGetBrand{
    "brand_get", "SELECT " AUTOBLOG_BRAND_COLUMNS " FROM {schema}.brand_configs LIMIT 1"};

// The stored publishing_config, locked until the PUT that replaces it commits (its secrets are
// kept where the PUT sends "***").
inline constexpr db::TenantQuery kLockBrandPublishing{
    "brand_lock_publishing",
    "SELECT publishing_config FROM {schema}.brand_configs LIMIT 1 FOR UPDATE"};

inline constexpr db::TenantQuery kPutBrand{
    "brand_put",
    "INSERT INTO {schema}.brand_configs "
    "(voice_tone, topics, visual_style, seo_strategy, publishing_config, sources) "
    "VALUES ($1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb) "
    "ON CONFLICT ((true)) DO UPDATE SET voice_tone = EXCLUDED.voice_tone,"
    " topics = EXCLUDED.topics, visual_style = EXCLUDED.visual_style,"
    " seo_strategy = EXCLUDED.seo_strategy, publishing_config = EXCLUDED.publishing_config,"
    " sources = EXCLUDED.sources,"
    " updated_at = now() "
    "RETURNING " AUTOBLOG_BRAND_COLUMNS};

inline constexpr db::TenantQuery kCountContentToday{
    "content_count_today",
    "SELECT count(*) FROM {schema}.content_pipelines "
    "WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"};

}  // namespace autoblog::content::queries
