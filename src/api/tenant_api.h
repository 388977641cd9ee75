#pragma once
// Tenant API (docs/api.md): GET /v1/tenant, brand config, content items and their performance.
// Handlers parse requests and call the content services (content/) for the tenant resolved
// from the JWT.
#include "http/router.h"

namespace autoblog::db {
class Pool;
}
namespace autoblog::cache {
class TenantCache;
}

namespace autoblog::api {

// The pool must outlive the router.
// The brand configuration is served from the tenant cache (read far more than written).
void add_tenant_routes(http::Router& router, db::Pool& pool, cache::TenantCache& cache);
void add_content_routes(http::Router& router, db::Pool& pool);

}  // namespace autoblog::api
