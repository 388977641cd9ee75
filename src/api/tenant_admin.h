#pragma once
// Validation and operations shared by the admin HTTP API and the `autoblog tenant` CLI, so
// both take the same code path. Throws http::BadRequest for invalid input.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "auth/jwt.h"
#include "tenancy/registry.h"

namespace autoblog::api {

tenancy::NewTenant parse_new_tenant(const boost::json::object& body);
tenancy::TenantPatch parse_tenant_patch(const boost::json::object& body);
// Validates ttl (1..2592000 s), signs a token, records its jti. Returns {"token","expires_at"}.
boost::asio::awaitable<boost::json::object> issue_token(tenancy::TenantRegistry& registry,
                                                        const auth::JwtCodec& jwt,
                                                        const tenancy::Tenant& tenant,
                                                        std::int64_t ttl_seconds);

}  // namespace autoblog::api
