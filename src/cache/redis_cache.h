#pragma once
// The tenant cache on Redis: entries are plain keys `t:{tenant_id}:{key}` with a TTL,
// shared by every API node. clear_tenant walks the tenant's keys with SCAN (MATCH t:{id}:*,
// COUNT 500) and UNLINKs each batch, so it never blocks Redis the way KEYS would; count_entries
// walks the same way. A cache must never take a request down: every Redis failure (down, timeout,
// error reply) becomes a miss, a no-op, 0 or false, never an exception.
//
// Thread-safety: thread-safe (the Client is). Ownership: holds a reference to `client`, which must
// outlive it.
#include "cache/tenant_cache.h"
#include "redis/client.h"

namespace autoblog::cache {

class RedisCache : public TenantCache {
 public:
  explicit RedisCache(redis::Client& client);

  boost::asio::awaitable<std::optional<std::string>> get(std::string_view tenant_id,
                                                         std::string_view key) override;
  // A ttl <= 0 stores the entry without expiry (Redis' eviction policy still applies).
  boost::asio::awaitable<void> set(std::string_view tenant_id, std::string_view key,
                                   std::string value, std::chrono::seconds ttl) override;
  boost::asio::awaitable<void> del(std::string_view tenant_id, std::string_view key) override;
  // Not atomic: an entry written while the walk runs may survive it (as with any SCAN). A Redis
  // failure midway leaves the rest in place (they still expire by TTL) and is logged.
  boost::asio::awaitable<void> clear_tenant(std::string_view tenant_id) override;
  // Approximate: SCAN may return a key twice while Redis rehashes.
  boost::asio::awaitable<std::int64_t> count_entries(std::string_view tenant_id) override;
  boost::asio::awaitable<bool> ping() override;

  // `t:{tenant_id}:{key}`.
  static std::string key_for(std::string_view tenant_id, std::string_view key);
  // Appends key_for(tenant_id, key) to `out` (one buffer for several keys).
  static void append_key(std::string& out, std::string_view tenant_id, std::string_view key);
  // `t:{tenant_id}:*` with glob metacharacters in the tenant id escaped.
  static std::string pattern_for(std::string_view tenant_id);

 private:
  // Walks the tenant's keys with SCAN, UNLINKing each batch when `unlink`; returns how many keys
  // were seen. Throws on Redis failure.
  boost::asio::awaitable<std::int64_t> walk(std::string tenant_id, bool unlink);

  redis::Client& client_;
};

}  // namespace autoblog::cache
