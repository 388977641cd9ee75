#pragma once
// Platform operator API (docs/api.md): /v1/admin/tenants CRUD and tenant tokens.
#include <boost/json/fwd.hpp>

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

// The bodies of POST /v1/admin/tenants and PATCH /v1/admin/tenants/{id} (http/schema.h). The
// CLI's `tenant create` / `tenant update` check their input against them too, so the API and the
// CLI refuse the same input in the same words.
const boost::json::value& tenant_create_schema();
const boost::json::value& tenant_update_schema();

// Registers the admin routes. Everything passed must outlive the router.
void add_admin_routes(http::Router& router, tenancy::TenantRegistry& registry,
                      const auth::JwtCodec& jwt, storage::ObjectStorage& storage,
                      cache::TenantCache& cache);

}  // namespace autoblog::api
