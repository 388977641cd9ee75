#pragma once
// Operations endpoints: /health, /health/ready, /metrics, /openapi.json (api/openapi.h).
// Public (see AUTOBLOG_METRICS_LISTEN for /metrics), never rate limited, and /health/ready reports dependencies as ok/fail only (no hosts,
// no error text).
#include "http/router.h"

namespace autoblog::db {
class Pool;
}
namespace autoblog::observability {
class Metrics;
}
namespace autoblog::redis {
class Client;
}
namespace autoblog::cache {
class TenantCache;
}
namespace autoblog::storage {
class ObjectStorage;
}

namespace autoblog::api {

// with_metrics = false leaves /metrics out (it is then served by its own listener, see
// AUTOBLOG_METRICS_LISTEN: the metrics name every tenant, so they need not be public).
// `redis`: the node's Redis client when it has one (its totals go into /metrics), else null.
void add_ops_routes(http::Router& router, db::Pool& pool, observability::Metrics& metrics,
                    cache::TenantCache& cache, storage::ObjectStorage& storage,
                    const redis::Client* redis, bool with_metrics = true);

// GET /metrics alone (Prometheus text format), for the main router or the metrics listener's.
void add_metrics_route(http::Router& router, db::Pool& pool, observability::Metrics& metrics,
                       const redis::Client* redis);

}  // namespace autoblog::api
