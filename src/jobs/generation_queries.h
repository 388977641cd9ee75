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
    "  b.visual_style, b.seo_strategy, b.publishing_config "
    "FROM (SELECT 1) one "
    "LEFT JOIN {schema}.content_pipelines c ON c.id = $1::uuid "
    "LEFT JOIN {schema}.brand_configs b ON true"};

// The brief the engine wrote for an item that had none, kept even if the article fails later
// (a retry then goes straight to the article). Only while the item is still generating.
inline constexpr db::TenantQuery kStoreBrief{
    "generation_store_brief",
    "UPDATE {schema}.content_pipelines SET content_brief = $2::jsonb, updated_at = now() "
    "WHERE id = $1::uuid AND status = 'generating' RETURNING id"};

// Slugs of the tenant's other items that are $2 or $2-<n>: the engine takes the first free one.
inline constexpr db::TenantQuery kTakenSlugs{
    "generation_taken_slugs",
    "SELECT generated_content ->> 'slug' FROM {schema}.content_pipelines "
    "WHERE id <> $1::uuid AND (generated_content ->> 'slug' = $2 "
    "  OR generated_content ->> 'slug' LIKE $2 || '-%')"};

// The article is written and the item moves on ($6: generated, or approved when the brand
// auto-approves and the scores pass), only if it is still generating.
inline constexpr db::TenantQuery kStoreGenerated{
    "generation_store",
    "UPDATE {schema}.content_pipelines SET status = $6::autoblog_core.content_status, "
    "  generated_content = $2::jsonb, quality_scores = $3::jsonb, visual_assets = $4::jsonb, "
    "  generation = $5::jsonb, updated_at = now() "
    "WHERE id = $1::uuid AND status = 'generating' RETURNING id"};

// A generation that ended without an article: failed (attempts spent, permanent error; $3 the
// reason and $4 the time, merged into `generation`) or back to where it was (cancelled; $3
// NULL) — only if still generating.
inline constexpr db::TenantQuery kLeaveGenerating{
    "generation_leave",
    "UPDATE {schema}.content_pipelines SET status = $2::autoblog_core.content_status, "
    "  generation = CASE WHEN $3::text IS NULL THEN generation ELSE "
    "    coalesce(generation, '{}'::jsonb) || jsonb_build_object('error', $3::text, "
    "      'failed_at', $4::text) END, "
    "  updated_at = now() WHERE id = $1::uuid AND status = 'generating'"};

// AI spending of today (UTC): tokens and images added; returns the day's totals (for the
// resource usage metric).
inline constexpr db::TenantCoreQuery kAddAiUsage{
    "usage_add_ai",
    "INSERT INTO autoblog_core.usage_daily AS u (tenant_id, day, ai_tokens, images) "
    "VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2::bigint, $3::int) "
    "ON CONFLICT (tenant_id, day) DO UPDATE SET ai_tokens = u.ai_tokens + $2::bigint, "
    "  images = u.images + $3::int WHERE u.tenant_id = $1 "
    "RETURNING u.ai_tokens, u.images"};

inline constexpr db::TenantCoreQuery kAiTokensToday{
    "usage_ai_tokens_today",
    "SELECT coalesce((SELECT ai_tokens FROM autoblog_core.usage_daily "
    "                 WHERE tenant_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date), 0)"};

}  // namespace autoblog::jobs::sql
