#pragma once
// The content item side of a generation job (tenant templates, db/schema_identifier.h).
#include "db/statement.h"

namespace autoblog::jobs::sql {

// Moves an item into `generating` from a status generation may start from; returns the status
// it had (kept in the job, so a cancel can put it back). No row: missing or not allowed.
inline constexpr db::TenantQuery kStartGenerating{
    "generation_start",
    "UPDATE {schema}.content_pipelines c SET status = 'generating', updated_at = now() "
    "FROM (SELECT id, status FROM {schema}.content_pipelines WHERE id = $1::uuid FOR UPDATE) old "
    "WHERE c.id = old.id AND old.status IN ('inspiration', 'briefed', 'generated', 'failed') "
    "RETURNING old.status::text"};

inline constexpr db::TenantQuery kItemStatus{
    "generation_item_status",
    "SELECT status::text FROM {schema}.content_pipelines WHERE id = $1::uuid"};

// What a generation reads: the item and the brand (either may be missing).
inline constexpr db::TenantQuery kLoadInputs{
    "generation_load_inputs",
    "SELECT c.status::text, c.inspiration_data, c.content_brief, b.voice_tone, b.topics, "
    "  b.visual_style, b.seo_strategy "
    "FROM (SELECT 1) one "
    "LEFT JOIN {schema}.content_pipelines c ON c.id = $1::uuid "
    "LEFT JOIN {schema}.brand_configs b ON true"};

// The article is written and the item moves on, only if it is still generating.
inline constexpr db::TenantQuery kStoreGenerated{
    "generation_store",
    "UPDATE {schema}.content_pipelines SET status = 'generated', generated_content = $2::jsonb, "
    "  quality_scores = $3::jsonb, updated_at = now() "
    "WHERE id = $1::uuid AND status = 'generating' RETURNING id"};

// A generation that ended without an article: failed (attempts spent, permanent error) or
// back to where it was (cancelled) — only if still generating.
inline constexpr db::TenantQuery kLeaveGenerating{
    "generation_leave",
    "UPDATE {schema}.content_pipelines SET status = $2::autoblog_core.content_status, "
    "  updated_at = now() WHERE id = $1::uuid AND status = 'generating'"};

}  // namespace autoblog::jobs::sql
