#pragma once
// The statements of trend discovery (tenant templates, db/schema_identifier.h).
#include "db/statement.h"

namespace autoblog::jobs::sql {

// What a run scores against and reads from (no row: the tenant has no brand yet).
inline constexpr db::TenantQuery kDiscoveryBrand{
    "trends_brand", "SELECT topics, seo_strategy, sources FROM {schema}.brand_configs LIMIT 1"};

// How many feeds the brand lists (no row: no brand).
inline constexpr db::TenantQuery kDiscoveryFeedCount{
    "trends_feed_count",
    "SELECT CASE WHEN jsonb_typeof(sources -> 'feeds') = 'array' "
    "THEN jsonb_array_length(sources -> 'feeds') ELSE 0 END FROM {schema}.brand_configs LIMIT 1"};

// Inserts the inspiration items of $1 (a JSON array of inspiration_data objects) in array order;
// an item whose canonical URL or title key the tenant already has — stored earlier, or by a
// concurrent run that commits first — is skipped by the unique indexes of
// migrations/tenant/0003_sources.sql. Returns the canonical URL and id of each item created.
inline constexpr db::TenantQuery kInsertInspirations{
    "trends_insert",
    "INSERT INTO {schema}.content_pipelines (inspiration_data) "
    "SELECT e.value FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(value, n) "
    "ORDER BY e.n "
    "ON CONFLICT DO NOTHING "
    "RETURNING inspiration_data ->> 'canonical_url', id"};

}  // namespace autoblog::jobs::sql
