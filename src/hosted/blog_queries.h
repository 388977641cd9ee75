#pragma once
// Named SQL of the hosted blog: the tenant's published posts (templates for its schema, run by
// its TenantTx) and the domain map (core). Timestamps come back as Unix seconds.
#include "db/statement.h"

namespace autoblog::hosted::queries {

#define AUTOBLOG_POST_SUMMARY                                                                \
  "generated_content ->> 'title', generated_content ->> 'slug', "                           \
  "coalesce(generated_content ->> 'meta_description', ''), "                                \
  "extract(epoch FROM published_at)::bigint, extract(epoch FROM updated_at)::bigint"

// Newest first: $1 limit, $2 offset.
inline constexpr db::TenantQuery kPublished{
    "blog_published",
    "SELECT " AUTOBLOG_POST_SUMMARY " FROM {schema}.content_pipelines "
    "WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT $1 OFFSET $2"};

// One published post by slug ($1), with its body and hero image key.
inline constexpr db::TenantQuery kPostBySlug{
    "blog_post",
    "SELECT " AUTOBLOG_POST_SUMMARY ", coalesce(generated_content ->> 'body_markdown', ''), "
    "visual_assets -> 'hero' ->> 'key', id FROM {schema}.content_pipelines "
    "WHERE status = 'published' AND generated_content ->> 'slug' = $1"};

// Page views counted since the last flush (hosted/view_counter.h): $1 a JSON array of
// {"id", "n"}, one performance record per item that still exists.
inline constexpr db::TenantQuery kRecordViews{
    "blog_record_views",
    "INSERT INTO {schema}.content_performance (content_id, metrics) "
    "SELECT c.id, jsonb_build_object('views', x.n, 'source', 'hosted') "
    "FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, n bigint) "
    "JOIN {schema}.content_pipelines c ON c.id = x.id"};

// Whether storage key $1 is the hero image of a published post (only those are public).
inline constexpr db::TenantQuery kPublishedImage{
    "blog_image",
    "SELECT 1 FROM {schema}.content_pipelines WHERE id = $2::uuid AND status = 'published' "
    "AND visual_assets -> 'hero' ->> 'key' = $1"};

inline constexpr db::CoreQuery kSites{
    "blog_sites",
    "SELECT domain, id::text FROM autoblog_core.tenants "
    "WHERE domain IS NOT NULL AND status = 'active'"};

}  // namespace autoblog::hosted::queries
