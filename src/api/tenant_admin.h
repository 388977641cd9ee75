#pragma once
// Validation and operations shared by the admin HTTP API and the `autoblog tenant` CLI, so
// both take the same code path. Throws http::BadRequest for invalid input.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "auth/jwt.h"
#include "tenancy/registry.h"

namespace autoblog::storage {
class ObjectStorage;
}
namespace autoblog::cache {
class TenantCache;
}

namespace autoblog::api {

tenancy::NewTenant parse_new_tenant(const boost::json::object& body);
tenancy::TenantPatch parse_tenant_patch(const boost::json::object& body);
// Validates ttl (1..2592000 s), signs a token, records its jti. Returns {"token","expires_at"}.
boost::asio::awaitable<boost::json::object> issue_token(tenancy::TenantRegistry& registry,
                                                        const auth::JwtCodec& jwt,
                                                        const tenancy::Tenant& tenant,
                                                        std::int64_t ttl_seconds);

// Deletes a tenant (registry, schema, tokens) and then purges its storage prefix and cache
// namespace. False when the tenant does not exist. The registry row is marked deleted first, so
// the tenant is refused everywhere before its data is purged.
boost::asio::awaitable<bool> delete_tenant(tenancy::TenantRegistry& registry,
                                           storage::ObjectStorage& storage,
                                           cache::TenantCache& cache, const std::string& id);

}  // namespace autoblog::api
