#pragma once
// Named SQL for a tenant's content tables. Runs inside a TenantTx (search_path = the tenant's
// schema), so table names are unqualified. JSON is built by PostgreSQL (json_build_object) and
// sent to the client as is: no parse/serialise round trip in the server.
#include "db/statement.h"

namespace autoblog::content::queries {

#define AUTOBLOG_CONTENT_JSON                                                              \
  "json_build_object('id', id, 'status', status, 'inspiration_data', inspiration_data,"   \
  " 'content_brief', content_brief, 'generated_content', generated_content,"              \
  " 'visual_assets', visual_assets, 'quality_scores', quality_scores,"                    \
  " 'published_at', autoblog_core.rfc3339(published_at),"                                 \
  " 'created_at', autoblog_core.rfc3339(created_at),"                                     \
  " 'updated_at', autoblog_core.rfc3339(updated_at))::text"

inline constexpr db::TenantQuery kInsert{
    "content_insert",
    "INSERT INTO content_pipelines (status, inspiration_data, content_brief) "
    "VALUES ($1::autoblog_core.content_status, $2::jsonb, $3::jsonb) "
    "RETURNING " AUTOBLOG_CONTENT_JSON};

inline constexpr db::TenantQuery kGet{
    "content_get", "SELECT " AUTOBLOG_CONTENT_JSON " FROM content_pipelines WHERE id = $1"};

// $1 status filter or NULL; $2/$3 cursor (created_at, id) or NULL; $4 limit.
inline constexpr db::TenantQuery kList{
    "content_list",
    "SELECT " AUTOBLOG_CONTENT_JSON ", autoblog_core.rfc3339(created_at), id "
    "FROM content_pipelines "
    "WHERE ($1::autoblog_core.content_status IS NULL OR status = $1::autoblog_core.content_status) "
    "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"};

inline constexpr db::TenantQuery kLockStatus{
    "content_lock_status", "SELECT status FROM content_pipelines WHERE id = $1 FOR UPDATE"};

// $2/$4 say whether to set content_brief/generated_content to $3/$5 (which may be NULL).
inline constexpr db::TenantQuery kUpdate{
    "content_update",
    "UPDATE content_pipelines SET "
    " content_brief = CASE WHEN $2::bool THEN $3::jsonb ELSE content_brief END,"
    " generated_content = CASE WHEN $4::bool THEN $5::jsonb ELSE generated_content END,"
    " status = COALESCE($6::autoblog_core.content_status, status),"
    " updated_at = now() "
    "WHERE id = $1 RETURNING " AUTOBLOG_CONTENT_JSON};

inline constexpr db::TenantQuery kDelete{"content_delete",
                                         "DELETE FROM content_pipelines WHERE id = $1"};

#define AUTOBLOG_PERFORMANCE_JSON                                         \
  "json_build_object('id', id, 'content_id', content_id, 'metrics', metrics," \
  " 'tracked_at', autoblog_core.rfc3339(tracked_at))::text"

inline constexpr db::TenantQuery kInsertPerformance{
    "performance_insert",
    "INSERT INTO content_performance (content_id, metrics, tracked_at) "
    "SELECT $1::uuid, $2::jsonb, COALESCE($3::timestamptz, now()) "
    "WHERE EXISTS (SELECT 1 FROM content_pipelines WHERE id = $1::uuid) "
    "RETURNING " AUTOBLOG_PERFORMANCE_JSON};

inline constexpr db::TenantQuery kContentExists{
    "content_exists", "SELECT EXISTS (SELECT 1 FROM content_pipelines WHERE id = $1)"};

inline constexpr db::TenantQuery kListPerformance{
    "performance_list",
    "SELECT " AUTOBLOG_PERFORMANCE_JSON ", autoblog_core.rfc3339(tracked_at), id "
    "FROM content_performance WHERE content_id = $1 "
    "AND ($2::timestamptz IS NULL OR (tracked_at, id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY tracked_at DESC, id DESC LIMIT $4"};

#define AUTOBLOG_BRAND_JSON                                                              \
  "json_build_object('id', id, 'voice_tone', voice_tone, 'topics', topics,"             \
  " 'visual_style', visual_style, 'seo_strategy', seo_strategy,"                        \
  " 'publishing_config', publishing_config, 'created_at', autoblog_core.rfc3339(created_at)," \
  " 'updated_at', autoblog_core.rfc3339(updated_at))::text"

inline constexpr db::TenantQuery kGetBrand{
    "brand_get", "SELECT " AUTOBLOG_BRAND_JSON " FROM brand_configs LIMIT 1"};

inline constexpr db::TenantQuery kPutBrand{
    "brand_put",
    "INSERT INTO brand_configs (voice_tone, topics, visual_style, seo_strategy, publishing_config) "
    "VALUES ($1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb, $5::jsonb) "
    "ON CONFLICT ((true)) DO UPDATE SET voice_tone = EXCLUDED.voice_tone,"
    " topics = EXCLUDED.topics, visual_style = EXCLUDED.visual_style,"
    " seo_strategy = EXCLUDED.seo_strategy, publishing_config = EXCLUDED.publishing_config,"
    " updated_at = now() "
    "RETURNING " AUTOBLOG_BRAND_JSON};

inline constexpr db::TenantQuery kCountContentToday{
    "content_count_today",
    "SELECT count(*) FROM content_pipelines WHERE created_at >= date_trunc('day', now() AT TIME "
    "ZONE 'UTC') AT TIME ZONE 'UTC'"};

}  // namespace autoblog::content::queries
