#pragma once
// Named SQL of deliveries to remote targets (publishing/delivery.h), for the tenant's schema.
#include "db/statement.h"

namespace autoblog::publishing::queries {

// What a delivery needs, read without a lock: status, article, image, publishing_config, the
// target's entry ($2 its key), published_at as RFC 3339 input (NULL while none).
inline constexpr db::TenantQuery kDeliveryLoad{
    "delivery_load",
    "SELECT c.status, c.generated_content, c.visual_assets, b.publishing_config, "
    "  c.publications -> $2::text, c.published_at "
    "FROM {schema}.content_pipelines c LEFT JOIN {schema}.brand_configs b ON true "
    "WHERE c.id = $1"};

// The target's entry ($2) with the item's row locked, and now() as RFC 3339 input.
inline constexpr db::TenantQuery kDeliveryLockEntry{
    "delivery_lock_entry",
    "SELECT publications -> $2::text, now() FROM {schema}.content_pipelines "
    "WHERE id = $1 FOR UPDATE"};

// Replaces the target's entry ($2) with $3; $4: a success, which sets published_at if it is the
// first and the item is still published.
inline constexpr db::TenantQuery kDeliverySetEntry{
    "delivery_set_entry",
    "UPDATE {schema}.content_pipelines SET "
    " publications = jsonb_set(publications, ARRAY[$2::text], $3::jsonb),"
    " published_at = CASE WHEN $4::bool AND status = 'published' THEN coalesce(published_at, now())"
    "   ELSE published_at END,"
    " updated_at = now() "
    "WHERE id = $1"};

// A published item whose every target has given up, with none left on its way, goes back to
// approved (the tenant fixes the targets and publishes again).
inline constexpr db::TenantQuery kDeliverySettle{
    "delivery_settle",
    "UPDATE {schema}.content_pipelines SET status = 'approved', published_at = NULL, "
    "  updated_at = now() "
    "WHERE id = $1 AND status = 'published' AND NOT EXISTS ("
    "  SELECT 1 FROM jsonb_each(publications) e "
    "  WHERE e.value ->> 'status' IN ('published', 'pending'))"};

// Marks publishing_config.targets[$1] disabled ($3, JSON) if it still sends to url $2.
inline constexpr db::TenantQuery kDisableTarget{
    "delivery_disable_target",
    "UPDATE {schema}.brand_configs SET publishing_config = jsonb_set(publishing_config, "
    "  ARRAY['targets', $1::text, 'disabled'], $3::jsonb), updated_at = now() "
    "WHERE publishing_config -> 'targets' -> ($1::int) ->> 'url' = $2::text"};

// Whether the job holding idempotency key $2 is running.
inline constexpr db::TenantCoreQuery kDeliveryRunning{
    "delivery_running",
    "SELECT 1 FROM autoblog_core.jobs WHERE tenant_id = $1 AND idempotency_key = $2 "
    "  AND state = 'running'"};

}  // namespace autoblog::publishing::queries
