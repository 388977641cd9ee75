#pragma once
// Authentication middleware (docs/api.md): the admin API takes the operator token, compared in
// constant time; the tenant API takes an HS256 JWT whose tenant_id alone decides the tenant,
// resolved through the registry's in-process cache into the request's tenancy::ActiveTenant.
// Unknown, suspended or deleted tenants are refused with 403 (tenancy::TenantInactive); a
// revoked token (by jti, TenantRegistry::is_token_revoked: an in-process set kept current by
// NOTIFY) with 401, also when the verified-token cache knows it.
// Public routes pass through. A tenant-API request no route takes (see http::routing) is
// authenticated if it can be, and otherwise passes through anonymously to its 404/405.
// Thread-safe; borrows the registry.
#include <string>

#include "auth/jwt.h"
#include "auth/verified_token_cache.h"
#include "http/handler.h"

namespace autoblog::tenancy {
class TenantRegistry;
}

namespace autoblog::auth {

class Authenticator {
 public:
  Authenticator(std::string admin_token, JwtCodec codec, tenancy::TenantRegistry& registry);

  http::Middleware middleware();
  const JwtCodec& jwt() const { return codec_; }

 private:
  boost::asio::awaitable<void> authenticate_tenant(http::Request& req, std::string_view token);
  // authenticate_tenant, but a refused token leaves the request anonymous instead of throwing.
  boost::asio::awaitable<void> try_authenticate_tenant(http::Request& req, std::string_view token);
  void authenticate_admin(std::string_view token) const;

  std::string admin_token_;
  JwtCodec codec_;
  VerifiedTokenCache verified_;
  tenancy::TenantRegistry& registry_;
};

// The credentials of "Authorization: Bearer <token>"; empty when absent or another scheme.
std::string_view bearer_token(const http::Request& req);

}  // namespace autoblog::auth
