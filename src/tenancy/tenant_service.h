#pragma once
// Tenant administration as one set of rules for the admin HTTP API and the `autoblog tenant`
// CLI: validation of names, domains, tiers, statuses, limits and token lifetimes; the domain
// errors of tenancy/errors.h (never HTTP ones); resumable deletion. Inputs are what the caller
// received, unvalidated (tenant ids too: not a UUID → InvalidInput); results are registry
// snapshots.
// Thread-safe (holds references only); everything passed to the constructor must outlive it.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "tenancy/registry.h"

namespace autoblog::auth {
class JwtCodec;
}
namespace autoblog::storage {
class ObjectStorage;
}
namespace autoblog::cache {
class TenantCache;
}

namespace autoblog::tenancy {

struct TenantSpec {
  std::string name;
  std::optional<std::string> domain;
  std::optional<std::string> tier;  // default starter
};

struct TenantChanges {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> domain;  // engaged null = clear the domain
  std::optional<std::string> tier;
  std::optional<std::string> status;          // "active" or "suspended"
  std::optional<boost::json::object> limits;  // merged into the overrides; null values clear
};

struct IssuedToken {
  std::string token;
  std::int64_t expires_at = 0;  // Unix seconds
};

class TenantService {
 public:
  TenantService(TenantRegistry& registry, storage::ObjectStorage& storage,
                cache::TenantCache& cache);

  // InvalidInput for a bad name/domain/tier; DomainTaken when another tenant has the domain.
  boost::asio::awaitable<Tenant> create(const TenantSpec& spec) const;
  // TenantNotFound for unknown and deleted tenants.
  boost::asio::awaitable<Tenant> get(const std::string& id) const;
  // `cursor` as returned in next_cursor; InvalidInput when malformed or limit not 1..100.
  // Deleted tenants are left out unless include_deleted (status "deleted", domain freed).
  boost::asio::awaitable<TenantPage> list(int limit, const std::optional<std::string>& cursor,
                                          bool include_deleted = false) const;
  // InvalidInput, DomainTaken, TenantNotFound.
  boost::asio::awaitable<Tenant> update(const std::string& id, const TenantChanges& changes) const;
  // Resumable: marks the tenant deleted (refused from then on; schema dropped, tokens revoked),
  // then purges its storage prefix and cache namespace, then records the purge. When the purge
  // fails (storage::StorageUnavailable) a later remove() of the same id finishes it.
  // TenantNotFound for unknown or fully deleted tenants.
  boost::asio::awaitable<void> remove(const std::string& id) const;
  // Signs a tenant JWT valid for ttl_seconds (1..2592000, else InvalidInput) and records its
  // jti. TenantNotFound for unknown or deleted tenants.
  boost::asio::awaitable<IssuedToken> issue_token(const auth::JwtCodec& jwt, const std::string& id,
                                                  std::int64_t ttl_seconds) const;
  // The tenant's recorded tokens (jti and times, never the token), oldest first. InvalidInput
  // for a malformed cursor or limit not 1..100; TenantNotFound for unknown or deleted tenants.
  boost::asio::awaitable<TokenPage> list_tokens(const std::string& id, int limit,
                                                const std::optional<std::string>& cursor) const;
  // Revokes one token: refused on every API node within about a second (registry.h).
  // TokenNotFound when `jti` is not one of this tenant's tokens; TenantNotFound.
  boost::asio::awaitable<void> revoke_token(const std::string& id, const std::string& jti) const;

 private:
  TenantRegistry& registry_;
  storage::ObjectStorage& storage_;
  cache::TenantCache& cache_;
};

}  // namespace autoblog::tenancy
