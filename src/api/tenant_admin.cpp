#include "api/tenant_admin.h"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>

#include "cache/tenant_cache.h"
#include "http/errors.h"
#include "storage/object_storage.h"
#include "http/json_body.h"
#include "util/random.h"

namespace autoblog::api {

namespace {

std::string checked_name(const std::string& name) {
  if (name.empty() || name.size() > 255)
    throw http::BadRequest("name must be 1 to 255 characters");
  return name;
}

// Hostnames only (lower-cased): letters, digits, '-', '.', up to 255 characters.
std::string checked_domain(std::string domain) {
  if (domain.empty() || domain.size() > 255)
    throw http::BadRequest("domain must be 1 to 255 characters");
  for (auto& c : domain) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
      throw http::BadRequest("domain must be a hostname (letters, digits, '-' and '.')");
  }
  return domain;
}

tenancy::Tier checked_tier(const std::string& text) {
  auto tier = tenancy::parse_tier(text);
  if (!tier) throw http::BadRequest("subscription_tier must be starter, growth or enterprise");
  return *tier;
}

std::string checked_limits(const boost::json::object& limits) {
  for (const auto& kv : limits) {
    auto key = kv.key();
    const auto& v = kv.value();
    if (v.is_null()) continue;  // clears the override
    if (key == "requests_per_hour" || key == "max_concurrent_generations" ||
        key == "max_daily_content" || key == "daily_token_budget") {
      bool unlimited_ok = key == "max_daily_content" || key == "daily_token_budget";
      if (!v.is_int64() || v.as_int64() < (unlimited_ok ? -1 : 1) || v.as_int64() > 1000000000)
        throw http::BadRequest("limits." + std::string(key) + " must be a positive integer" +
                               (unlimited_ok ? " or -1 (unlimited)" : ""));
    } else if (key == "ai_model") {
      if (!v.is_string() || v.as_string().empty() || v.as_string().size() > 100)
        throw http::BadRequest("limits.ai_model must be a model name");
    } else if (key == "image_quality") {
      if (!v.is_string() || (v.as_string() != "standard" && v.as_string() != "hd"))
        throw http::BadRequest("limits.image_quality must be standard or hd");
    } else {
      throw http::BadRequest("unknown limit '" + std::string(key) + "'");
    }
  }
  return boost::json::serialize(limits);
}

std::string rfc3339(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

tenancy::NewTenant parse_new_tenant(const boost::json::object& body) {
  http::require_known_fields(body, {"name", "domain", "subscription_tier"});
  tenancy::NewTenant t;
  auto name = http::string_field(body, "name");
  if (!name) throw http::BadRequest("field 'name' is required");
  t.name = checked_name(*name);
  if (auto* d = body.if_contains("domain"); d && !d->is_null()) {
    if (!d->is_string()) throw http::BadRequest("field 'domain' must be a string or null");
    t.domain = checked_domain(*http::string_field(body, "domain"));
  }
  if (auto tier = http::string_field(body, "subscription_tier")) t.tier = checked_tier(*tier);
  return t;
}

tenancy::TenantPatch parse_tenant_patch(const boost::json::object& body) {
  http::require_known_fields(body, {"name", "domain", "subscription_tier", "status", "limits"});
  tenancy::TenantPatch p;
  if (auto name = http::string_field(body, "name")) p.name = checked_name(*name);
  if (auto* d = body.if_contains("domain")) {
    if (d->is_null()) p.domain = std::optional<std::string>();
    else if (d->is_string()) p.domain = checked_domain(*http::string_field(body, "domain"));
    else throw http::BadRequest("field 'domain' must be a string or null");
  }
  if (auto tier = http::string_field(body, "subscription_tier")) p.tier = checked_tier(*tier);
  if (auto status = http::string_field(body, "status")) {
    auto s = tenancy::parse_status(*status);
    if (!s || *s == tenancy::Status::kDeleted)
      throw http::BadRequest("status must be active or suspended (DELETE removes a tenant)");
    p.status = *s;
  }
  if (auto* limits = http::object_field(body, "limits"))
    p.limits_patch_json = checked_limits(limits->as_object());
  return p;
}

boost::asio::awaitable<boost::json::object> issue_token(tenancy::TenantRegistry& registry,
                                                        const auth::JwtCodec& jwt,
                                                        const tenancy::Tenant& tenant,
                                                        std::int64_t ttl_seconds) {
  if (ttl_seconds < 1 || ttl_seconds > 2592000)
    throw http::BadRequest("ttl_seconds must be between 1 and 2592000");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auth::JwtClaims claims;
  claims.tenant_id = tenant.id;
  claims.iat = now;
  claims.exp = now + ttl_seconds;
  claims.jti = util::uuid_v4();
  auto token = jwt.sign(claims);
  co_await registry.record_token(*claims.jti, tenant.id, claims.exp);
  boost::json::object out;
  out["token"] = token;
  out["expires_at"] = rfc3339(claims.exp);
  co_return out;
}

boost::asio::awaitable<bool> delete_tenant(tenancy::TenantRegistry& registry,
                                           storage::ObjectStorage& storage,
                                           cache::TenantCache& cache, const std::string& id) {
  bool removed = co_await registry.remove(id);
  if (!removed) co_return false;
  co_await storage.purge_tenant(id);
  co_await cache.clear_tenant(id);
  co_return true;
}

}  // namespace autoblog::api
