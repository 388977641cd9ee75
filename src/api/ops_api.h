#pragma once
// Operations endpoints (DESIGN §2 "Ops"): /health, /health/ready, /metrics, /openapi.json.
// Public, never rate limited, and /health/ready reports dependencies as ok/fail only (no hosts,
// no error text).
#include "http/router.h"

namespace autoblog::db {
class Pool;
}
namespace autoblog::observability {
class Metrics;
}
namespace autoblog::cache {
class TenantCache;
}
namespace autoblog::storage {
class ObjectStorage;
}

namespace autoblog::api {

void add_ops_routes(http::Router& router, db::Pool& pool, observability::Metrics& metrics,
                    cache::TenantCache& cache, storage::ObjectStorage& storage);

// The OpenAPI 3 document of every route in `router` (built once, after all routes are added).
std::string openapi_document(const http::Router& router);

}  // namespace autoblog::api
