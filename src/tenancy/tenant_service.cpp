#include "tenancy/tenant_service.h"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <stdexcept>

#include "auth/jwt.h"
#include "cache/tenant_cache.h"
#include "db/errors.h"
#include "storage/object_storage.h"
#include "tenancy/errors.h"
#include "util/hostname.h"
#include "util/random.h"
#include "util/text.h"

namespace autoblog::tenancy {

namespace asio = boost::asio;

namespace {

std::string checked_id(const std::string& id) {
  if (!util::is_uuid(id)) throw InvalidInput("tenant id must be a UUID");
  return util::normalize_uuid(id);
}

// Names are shown to people (admin UIs, the operator's terminal): no control or bidi
// characters, valid UTF-8, not blank, no leading/trailing whitespace (refused, never trimmed,
// so what is stored is exactly what was sent).
std::string checked_name(const std::string& name) {
  if (name.empty() || name.size() > 255) throw InvalidInput("name must be 1 to 255 characters");
  if (auto problem = util::display_text_problem(name, "name")) throw InvalidInput(*problem);
  return name;
}

// The canonical hostname (util/hostname.h): stored and compared in that form, so
// "Acme.Example." and "acme.example" are one domain (the second is a 409).
std::string checked_domain(const std::string& domain) {
  std::string why;
  auto host = util::canonical_hostname(domain, &why);
  if (!host) throw InvalidInput(why);
  return std::move(*host);
}

Tier checked_tier(const std::string& text) {
  auto tier = parse_tier(text);
  if (!tier) throw InvalidInput("subscription_tier must be starter, growth or enterprise");
  return *tier;
}

Status checked_status(const std::string& text) {
  auto s = parse_status(text);
  if (!s || *s == Status::kDeleted)
    throw InvalidInput("status must be active or suspended (DELETE removes a tenant)");
  return *s;
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
        throw InvalidInput("limits." + std::string(key) + " must be a positive integer" +
                           (unlimited_ok ? " or -1 (unlimited)" : ""));
    } else if (key == "storage_bytes") {
      // Bytes, so the ceiling is higher than the counts above; 0 = no storage at all.
      if (!v.is_int64() || v.as_int64() < -1 || v.as_int64() > (1LL << 50))
        throw InvalidInput("limits.storage_bytes must be a number of bytes (0 to 2^50) or -1 "
                           "(unlimited)");
    } else if (key == "ai_model") {
      if (!v.is_string() || v.as_string().empty() || v.as_string().size() > 100)
        throw InvalidInput("limits.ai_model must be a model name");
    } else if (key == "image_quality") {
      if (!v.is_string() || (v.as_string() != "standard" && v.as_string() != "hd"))
        throw InvalidInput("limits.image_quality must be standard or hd");
    } else {
      throw InvalidInput("unknown limit '" + std::string(key) + "'");
    }
  }
  return boost::json::serialize(limits);
}

// The only unique value a caller chooses is the domain.
[[noreturn]] void throw_domain_taken(const std::optional<std::string>& domain) {
  throw DomainTaken("domain '" + domain.value_or("") + "' belongs to another tenant");
}

}  // namespace

TenantService::TenantService(TenantRegistry& registry, storage::ObjectStorage& storage,
                             cache::TenantCache& cache)
    : registry_(registry), storage_(storage), cache_(cache) {}

asio::awaitable<Tenant> TenantService::create(const TenantSpec& spec) const {
  NewTenant t;
  t.name = checked_name(spec.name);
  if (spec.domain) t.domain = checked_domain(*spec.domain);
  if (spec.tier) t.tier = checked_tier(*spec.tier);
  std::optional<Tenant> created;
  try {
    created = co_await registry_.create(t);
  } catch (const db::UniqueViolation&) {
    throw_domain_taken(t.domain);
  }
  co_return std::move(*created);
}

asio::awaitable<Tenant> TenantService::get(const std::string& id) const {
  auto t = co_await registry_.get(checked_id(id));
  if (!t) throw TenantNotFound();
  co_return std::move(*t);
}

asio::awaitable<TenantPage> TenantService::list(int limit,
                                                const std::optional<std::string>& cursor,
                                                bool include_deleted) const {
  if (limit < 1 || limit > 100) throw InvalidInput("limit must be an integer between 1 and 100");
  std::optional<TenantPage> page;
  try {
    page = co_await registry_.list(limit, cursor, include_deleted);
  } catch (const std::invalid_argument&) {
    throw InvalidInput("cursor is malformed");
  }
  co_return std::move(*page);
}

asio::awaitable<Tenant> TenantService::update(const std::string& id,
                                              const TenantChanges& changes) const {
  auto checked = checked_id(id);
  TenantPatch p;
  if (changes.name) p.name = checked_name(*changes.name);
  if (changes.domain) {
    if (*changes.domain)
      p.domain = checked_domain(**changes.domain);
    else
      p.domain = std::optional<std::string>();
  }
  if (changes.tier) p.tier = checked_tier(*changes.tier);
  if (changes.status) p.status = checked_status(*changes.status);
  if (changes.limits) p.limits_patch_json = checked_limits(*changes.limits);
  std::optional<Tenant> updated;
  try {
    updated = co_await registry_.update(checked, p);
  } catch (const db::UniqueViolation&) {
    throw_domain_taken(p.domain ? *p.domain : std::nullopt);
  }
  if (!updated) throw TenantNotFound();
  co_return std::move(*updated);
}

asio::awaitable<void> TenantService::remove(const std::string& id) const {
  auto checked = checked_id(id);
  bool pending = co_await registry_.begin_deletion(checked);
  if (!pending) throw TenantNotFound();
  // From here on the tenant is refused everywhere; if a purge step fails, the registry row
  // still says "purge pending" and the next remove() comes back here.
  co_await storage_.purge_tenant(checked);
  co_await cache_.clear_tenant(checked);
  co_await registry_.finish_deletion(checked);
}

asio::awaitable<IssuedToken> TenantService::issue_token(const auth::JwtCodec& jwt,
                                                        const std::string& id,
                                                        std::int64_t ttl_seconds) const {
  auto tenant = co_await get(id);
  if (ttl_seconds < 1 || ttl_seconds > 2592000)
    throw InvalidInput("ttl_seconds must be between 1 and 2592000");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auth::JwtClaims claims;
  claims.tenant_id = tenant.id;
  claims.iat = now;
  claims.exp = now + ttl_seconds;
  claims.jti = util::uuid_v4();
  IssuedToken out{jwt.sign(claims), claims.exp};
  co_await registry_.record_token(*claims.jti, tenant.id, claims.exp);
  co_return out;
}

asio::awaitable<TokenPage> TenantService::list_tokens(
    const std::string& id, int limit, const std::optional<std::string>& cursor) const {
  if (limit < 1 || limit > 100) throw InvalidInput("limit must be an integer between 1 and 100");
  auto tenant = co_await get(id);
  std::optional<TokenPage> page;
  try {
    page = co_await registry_.list_tokens(tenant.id, limit, cursor);
  } catch (const std::invalid_argument&) {
    throw InvalidInput("cursor is malformed");
  }
  co_return std::move(*page);
}

asio::awaitable<void> TenantService::revoke_token(const std::string& id,
                                                  const std::string& jti) const {
  auto tenant = co_await get(id);
  bool revoked = co_await registry_.revoke_token(tenant.id, jti);
  if (!revoked) throw TokenNotFound();
}

}  // namespace autoblog::tenancy
