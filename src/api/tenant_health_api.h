#pragma once
// GET /health/tenant/{id} (the seed's shape): database, cache, storage and AI-quota checks for
// the caller's own tenant, run concurrently with a deadline each. Another tenant's id is a 404
// (the original design let any tenant probe any other). Never rate limited, so the result is
// cached per tenant for `cache_for` (AUTOBLOG_TENANT_HEALTH_CACHE_MS, default 5 s; 0 = off):
// within it every probe gets the identical body, timestamp included.
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
                             std::chrono::milliseconds check_deadline,
                             std::chrono::milliseconds cache_for);

}  // namespace autoblog::api
