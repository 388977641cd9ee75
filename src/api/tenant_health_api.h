#pragma once
// GET /health/tenant/{id} (the seed's shape): database, cache, storage and AI-quota checks for
// the caller's own tenant, run concurrently with a deadline each. Another tenant's id is a 404
// (DESIGN §10.7: the seed let any tenant probe any other).
#include <chrono>

#include "http/router.h"

namespace autoblog::db {
class Pool;
}
namespace autoblog::cache {
class TenantCache;
}
namespace autoblog::storage {
class ObjectStorage;
}

namespace autoblog::api {

void add_tenant_health_route(http::Router& router, db::Pool& pool, cache::TenantCache& cache,
                             storage::ObjectStorage& storage,
                             std::chrono::milliseconds check_deadline);

}  // namespace autoblog::api
