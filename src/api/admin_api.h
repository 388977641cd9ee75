#pragma once
// Platform operator API (DESIGN §2): /v1/admin/tenants CRUD and tenant tokens.
#include "http/router.h"

namespace autoblog::tenancy {
class TenantRegistry;
}
namespace autoblog::auth {
class JwtCodec;
}
namespace autoblog::storage {
class ObjectStorage;
}
namespace autoblog::cache {
class TenantCache;
}

namespace autoblog::api {

// Registers the admin routes. Everything passed must outlive the router.
void add_admin_routes(http::Router& router, tenancy::TenantRegistry& registry,
                      const auth::JwtCodec& jwt, storage::ObjectStorage& storage,
                      cache::TenantCache& cache);

}  // namespace autoblog::api
