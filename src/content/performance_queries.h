#pragma once
// Named SQL for performance statistics over a period (tenant templates, db/schema_identifier.h).
// Both statements first compute the period: `lo` = $from, else `hi` − 30 days; `hi` = $to, else
// now; `ok` when lo < hi and the period is at most the allowed span; `found` whether the item
// exists. They always return at least one row, so the caller can tell "no such item" and "bad
// period" from "no data".
#include "db/statement.h"

namespace autoblog::content::queries {

// Sums of every numeric metric per bucket: $1 item, $2 from, $3 to (NULL = default), $4 bucket
// ('hour' | 'day' | 'week'), $5 the longest period allowed (an interval). One row per bucket and
// metric, every bucket of the period listed (key NULL when it holds no data), oldest first.
inline constexpr db::TenantQuery kPerformanceSeries{
    "performance_series",
    "WITH b AS (SELECT lo, hi, hi > lo AND hi - lo <= $5::interval AS ok, "
    "    EXISTS (SELECT 1 FROM {schema}.content_pipelines WHERE id = $1::uuid) AS found "
    "  FROM (SELECT coalesce($2::timestamptz, coalesce($3::timestamptz, now()) - interval '30 days') AS lo, "
    "               coalesce($3::timestamptz, now()) AS hi) x), "
    "agg AS (SELECT date_trunc($4, p.tracked_at AT TIME ZONE 'UTC') AS start, m.key, "
    "    sum(m.value::text::numeric) AS total "
    "  FROM b, {schema}.content_performance p, jsonb_each(p.metrics) AS m (key, value) "
    "  WHERE b.ok AND p.content_id = $1::uuid AND p.tracked_at >= b.lo AND p.tracked_at < b.hi "
    "    AND jsonb_typeof(m.value) = 'number' "
    "  GROUP BY 1, 2) "
    "SELECT b.found, b.ok, b.lo, b.hi, g.start AT TIME ZONE 'UTC', a.key, a.total::text "
    // The stop is NULL (no rows) for a refused period: a join condition would be checked only
    // after the series was generated, millions of hours for a period starting in year 1.
    "FROM b LEFT JOIN LATERAL generate_series(date_trunc($4, b.lo AT TIME ZONE 'UTC'), "
    "    CASE WHEN b.ok AND b.found THEN b.hi AT TIME ZONE 'UTC' - interval '1 microsecond' END, "
    "    ('1 ' || $4)::interval) AS g (start) ON true "
    "LEFT JOIN agg a ON a.start = g.start "
    "ORDER BY g.start, a.key"};

// The tenant's items ranked by the sum of one metric over the period: $1 metric, $2 from, $3 to,
// $4 limit, $5 the longest period. Ties by id; items without the metric are not listed.
inline constexpr db::TenantQuery kPerformanceTop{
    "performance_top",
    "WITH b AS (SELECT lo, hi, hi > lo AND hi - lo <= $5::interval AS ok "
    "  FROM (SELECT coalesce($2::timestamptz, coalesce($3::timestamptz, now()) - interval '30 days') AS lo, "
    "               coalesce($3::timestamptz, now()) AS hi) x), "
    "t AS (SELECT p.content_id, sum((p.metrics ->> $1)::numeric) AS total "
    "  FROM b, {schema}.content_performance p "
    "  WHERE b.ok AND p.tracked_at >= b.lo AND p.tracked_at < b.hi "
    "    AND jsonb_typeof(p.metrics -> $1) = 'number' "
    "  GROUP BY p.content_id ORDER BY total DESC, p.content_id LIMIT $4) "
    "SELECT b.ok, b.lo, b.hi, t.content_id, t.total::text, c.status, "
    "  c.generated_content ->> 'title', c.generated_content ->> 'slug', c.published_at "
    "FROM b LEFT JOIN t ON true LEFT JOIN {schema}.content_pipelines c ON c.id = t.content_id "
    "ORDER BY t.total DESC NULLS LAST, t.content_id"};

// Many records of one item in one statement: $1 item, $2 a JSON array of {metrics, tracked_at?}.
// No row when the item does not exist.
inline constexpr db::TenantQuery kInsertPerformanceBatch{
    "performance_insert_batch",
    "INSERT INTO {schema}.content_performance (content_id, metrics, tracked_at) "
    "SELECT $1::uuid, r.metrics, coalesce(r.tracked_at, now()) "
    "FROM jsonb_to_recordset($2::jsonb) AS r (metrics jsonb, tracked_at timestamptz) "
    "WHERE EXISTS (SELECT 1 FROM {schema}.content_pipelines WHERE id = $1::uuid) "
    "RETURNING id"};

}  // namespace autoblog::content::queries
