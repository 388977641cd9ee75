#include "api/authenticator.h"

#include <chrono>

#include "auth/secure_compare.h"
#include "http/errors.h"
#include "tenancy/errors.h"
#include "tenancy/registry.h"

namespace autoblog::auth {

namespace asio = boost::asio;

std::string_view bearer_token(const http::Request& req) {
  auto h = req.header("authorization");
  if (!h) return {};
  auto v = *h;
  if (v.size() < 7) return {};
  auto scheme = v.substr(0, 7);
  for (std::size_t i = 0; i < 6; ++i)
    if (std::tolower(static_cast<unsigned char>(scheme[i])) != "bearer"[i]) return {};
  if (scheme[6] != ' ') return {};
  auto token = v.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

Authenticator::Authenticator(std::string admin_token, JwtCodec codec,
                             tenancy::TenantRegistry& registry)
    : admin_token_(std::move(admin_token)), codec_(std::move(codec)), registry_(registry) {}

void Authenticator::authenticate_admin(std::string_view token) const {
  if (token.empty()) throw http::Unauthorized("missing bearer token");
  if (constant_time_equals(token, admin_token_)) return;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (std::holds_alternative<JwtClaims>(codec_.verify(token, now)))
    throw http::Forbidden("tenant tokens cannot use the admin API");
  throw http::Unauthorized("invalid admin token", /*token_given=*/true);
}

asio::awaitable<void> Authenticator::authenticate_tenant(http::Request& req,
                                                         std::string_view token) {
  if (token.empty()) throw http::Unauthorized("missing bearer token");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto claims = verified_.find(token, now);
  if (!claims) {
    auto verified = codec_.verify(token, now);
    if (auto* err = std::get_if<JwtError>(&verified)) {
      if (constant_time_equals(token, admin_token_))
        throw http::Forbidden("the admin token cannot use the tenant API");
      throw http::Unauthorized("invalid token: " + std::string(describe(*err)),
                               /*token_given=*/true);
    }
    claims = std::make_shared<const JwtClaims>(std::get<JwtClaims>(std::move(verified)));
    verified_.insert(token, claims);
  }
  // Checked on every request, cache hit or not: revocation is not a property of the token's
  // bytes. Tokens without a jti (not issued by this server, only makeable with the JWT secret)
  // cannot be revoked one by one: suspend the tenant or rotate the secret.
  if (claims->jti) {
    // Known without a query nearly always: then no coroutine is started for it.
    auto revoked = registry_.token_revoked_if_known(*claims->jti);
    if (!revoked) revoked = co_await registry_.is_token_revoked(*claims->jti);
    if (*revoked) throw http::Unauthorized("token has been revoked", /*token_given=*/true);
  }
  // Unknown, suspended or deleted: tenancy::TenantInactive, a 403 like every refused tenant.
  auto tenant = registry_.active_if_cached(claims->tenant_id);
  if (!tenant) tenant = co_await registry_.resolve_active(claims->tenant_id);
  req.tenant = std::move(tenant);
}

asio::awaitable<void> Authenticator::try_authenticate_tenant(http::Request& req,
                                                             std::string_view token) {
  try {
    co_await authenticate_tenant(req, token);
  } catch (const http::ApiError&) {
    req.tenant = nullptr;  // 401 or 403: not a tenant we can count
  } catch (const tenancy::TenantInactive&) {
    req.tenant = nullptr;
  }
}

http::Middleware Authenticator::middleware() {
  return [this](http::Request& req, const http::Handler& next) -> asio::awaitable<http::Response> {
    switch (req.audience) {
      case http::Audience::kPublic:
        break;
      case http::Audience::kAdmin:
        authenticate_admin(bearer_token(req));
        break;
      case http::Audience::kTenant:
        if (req.route.empty()) {
          // No route takes this path (http::routing let it through because it has
          // credentials): a valid tenant token is counted and rate limited like any tenant
          // request, so its 404/405 carries the rate-limit headers; anything else stays
          // anonymous and gets the same 404/405 (an unknown path is never a 401 or 403).
          co_await try_authenticate_tenant(req, bearer_token(req));
        } else {
          co_await authenticate_tenant(req, bearer_token(req));
        }
        break;
    }
    co_return co_await next(req);
  };
}

}  // namespace autoblog::auth
