#pragma once
// Performance routes of the tenant API: records in (one, or a batch), records listed, sums per
// bucket over a period, the tenant's items ranked by a metric (content::ContentService,
// content::PerformanceStats). Registered by the composition root; the handlers hold references
// to the pool only.
#include "db/pool.h"
#include "http/router.h"

namespace autoblog::api {

void add_performance_routes(http::Router& router, db::Pool& pool);

}  // namespace autoblog::api
