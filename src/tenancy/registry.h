#pragma once
// The tenant registry (autoblog_core.tenants): provisioning, lookups, changes, deletion, and the
// in-process cache that authentication reads on every request (never a database
// connection per request). Changes are announced with NOTIFY autoblog_tenant_changed so every
// API node drops its cached copy (see change_listener.h); this node drops its own at once.
// It is also the only maker of ActiveTenant (the key to a TenantTx). Input validation and the
// domain errors live one level up, in tenancy::TenantService; this class stores what it is given.
// Thread-safe; owned by the composition root; the Pool must outlive it.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "db/migrations/migrator.h"
#include "db/pool.h"
#include "tenancy/active_tenant.h"
#include "tenancy/tenant.h"
#include "util/string_hash.h"

namespace autoblog::tenancy {

struct NewTenant {
  std::string name;
  std::optional<std::string> domain;
  Tier tier = Tier::kStarter;
};

struct TenantPatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> domain;  // engaged null = clear the domain
  std::optional<Tier> tier;
  std::optional<Status> status;   // active or suspended
  std::optional<std::string> limits_patch_json;  // object merged into limits; null values clear
};

struct TenantPage {
  std::vector<Tenant> items;
  std::optional<std::string> next_cursor;
};

// An issued tenant token as recorded (never the token itself). Timestamps RFC 3339 UTC.
struct TokenInfo {
  std::string jti;
  std::string issued_at;
  std::string expires_at;
  std::optional<std::string> revoked_at;
};

struct TokenPage {
  std::vector<TokenInfo> items;
  std::optional<std::string> next_cursor;
};

// The payload of autoblog_tenant_changed for a revoked token: "token-revoked:<jti>". Tenant ids
// are UUIDs, so the two payloads cannot be mistaken for each other (an older node that does not
// know this prefix drops a cache entry that does not exist: harmless).
inline constexpr std::string_view kTokenRevokedPrefix = "token-revoked:";

class TenantRegistry {
 public:
  TenantRegistry(db::Pool& pool, std::vector<db::Migration> tenant_migrations,
                 std::chrono::seconds cache_ttl);

  // Registry row + schema + tenant migrations in one transaction: all or nothing.
  // Throws db::UniqueViolation for a taken domain.
  boost::asio::awaitable<Tenant> create(const NewTenant& spec);
  // Deleted tenants are reported as absent.
  boost::asio::awaitable<std::optional<Tenant>> get(const std::string& id);
  // `cursor` as returned in next_cursor; throws std::invalid_argument when malformed. Deleted
  // tenants only with include_deleted.
  boost::asio::awaitable<TenantPage> list(int limit, const std::optional<std::string>& cursor,
                                          bool include_deleted = false);
  boost::asio::awaitable<std::optional<Tenant>> update(const std::string& id,
                                                       const TenantPatch& patch);
  // Deletion, step 1 (resumable): marks the tenant deleted (refused everywhere from then on),
  // frees its domain, drops its schema and revokes its tokens, in one transaction. True when
  // the tenant is now deleted and its purge is pending — also for a tenant deleted earlier
  // whose purge never finished; false when unknown or already purged.
  boost::asio::awaitable<bool> begin_deletion(const std::string& id);
  // Deletion, last step: records that storage and cache were purged.
  boost::asio::awaitable<void> finish_deletion(const std::string& id);
  // Records an issued token (jti) for audit and revocation.
  boost::asio::awaitable<void> record_token(const std::string& jti, const std::string& tenant_id,
                                            std::int64_t expires_at_unix);

  // The tenant's recorded tokens, oldest first. Throws std::invalid_argument for a bad cursor.
  boost::asio::awaitable<TokenPage> list_tokens(const std::string& tenant_id, int limit,
                                                const std::optional<std::string>& cursor);
  // Revokes one of the tenant's tokens (idempotent) and announces it to every node. False when
  // `jti` is not a token of this tenant.
  boost::asio::awaitable<bool> revoke_token(const std::string& tenant_id, const std::string& jti);

  // Per-token revocation for authentication. While synced (the change listener is connected and
  // has loaded the revoked set) this is a set lookup; otherwise one query, so a revocation made
  // while notifications could be missed is still honoured. Tokens without a UUID jti were not
  // issued by this server and are never in the table: false.
  boost::asio::awaitable<bool> is_token_revoked(const std::string& jti);
  // The same answer when it needs no query (the set is synced, or the jti is not a UUID);
  // nullopt otherwise: then await is_token_revoked(). Spares the request path a coroutine.
  std::optional<bool> token_revoked_if_known(std::string_view jti);
  // Called by the change listener once it LISTENs: loads every revoked, unexpired jti.
  boost::asio::awaitable<void> sync_revoked_tokens();
  void note_token_revoked(const std::string& jti);
  // Called by the change listener when it loses its connection.
  void mark_revocations_unsynced();

  // Cached lookup; includes suspended/deleted tenants, nullptr for unknown ids.
  boost::asio::awaitable<std::shared_ptr<const Tenant>> resolve(const std::string& id);
  // Cached lookup for authentication: the tenant as an ActiveTenant, or TenantInactive
  // ("tenant not found", "tenant is suspended", "tenant is deleted").
  boost::asio::awaitable<std::shared_ptr<const ActiveTenant>> resolve_active(const std::string& id);
  // resolve_active's answer when the cache holds it (not expired): the tenant, or TenantInactive
  // thrown; nullptr when the cache does not know: then await resolve_active(). Spares the
  // request path two coroutines.
  std::shared_ptr<const ActiveTenant> active_if_cached(const std::string& id);
  void invalidate(const std::string& id);
  void invalidate_all();
  // Bumped by every invalidation (a tenant changed on some node, or the change listener
  // reconnected): caches built from tenants (the hosted blog's domain map and pages) keep the
  // value they were built at and are stale once it moved.
  std::uint64_t generation();

  const std::vector<db::Migration>& tenant_migrations() const { return migrations_; }
  db::Pool& pool() { return pool_; }

 private:
  struct Snapshot {
    std::shared_ptr<const Tenant> tenant;  // null = known not to exist
    std::shared_ptr<const ActiveTenant> active;  // set when active (tenant aliases into it)
  };
  static Snapshot snapshot_of(Tenant tenant);
  static std::shared_ptr<const ActiveTenant> active_or_throw(const Snapshot& s);
  // The cached snapshot of `id` if it has not expired at `now` (shared lock only).
  std::optional<Snapshot> fresh_snapshot(const std::string& id,
                                         std::chrono::steady_clock::time_point now);
  boost::asio::awaitable<Snapshot> lookup(const std::string& id);

  struct CacheEntry {
    Snapshot snapshot;
    std::chrono::steady_clock::time_point expires;
    bool refreshing = false;  // one request re-reads an expired entry; the others use it as is
  };
  db::Pool& pool_;
  std::vector<db::Migration> migrations_;
  std::chrono::seconds ttl_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;
  std::uint64_t generation_ = 0;  // bumped by invalidate_all; stale fills are dropped

  // Revoked, unexpired jtis (lowercase UUIDs). Bounded by the tokens revoked within the longest
  // token lifetime (30 days); rebuilt on every listener (re)connect, which drops expired ones.
  std::shared_mutex revoked_mutex_;
  using JtiSet = std::unordered_set<std::string, util::StringHash, std::equal_to<>>;
  JtiSet revoked_;
  bool revoked_synced_ = false;
  std::uint64_t revoked_epoch_ = 0;  // bumped when unsynced; a load that raced it is dropped
};

// The SQL script that creates a tenant schema and brings it to the latest version.
std::string provisioning_script(const std::string& schema_name,
                                const std::vector<db::Migration>& migrations, int from_version);
// The SQL script that drops a tenant schema (tenant deletion).
std::string drop_schema_script(const std::string& schema_name);

}  // namespace autoblog::tenancy
