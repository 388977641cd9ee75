#pragma once
// The seed's TenantCacheManager: a cache namespaced per tenant (keys t:{tenant_id}:{key}).
// clear_tenant is O(1) (in-process: a per-tenant generation) or SCAN-based (Redis), never KEYS.
// Backends: InProcessCache (LRU bounded in bytes) and RedisCache. A backend failure (Redis down)
// degrades to a miss / no-op, never an exception. Implementations are thread-safe.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::cache {

class TenantCache {
 public:
  virtual ~TenantCache() = default;
  virtual boost::asio::awaitable<std::optional<std::string>> get(std::string_view tenant_id,
                                                                 std::string_view key) = 0;
  // ttl <= 0 stores nothing (and drops any previous value).
  virtual boost::asio::awaitable<void> set(std::string_view tenant_id, std::string_view key,
                                           std::string value, std::chrono::seconds ttl) = 0;
  virtual boost::asio::awaitable<void> del(std::string_view tenant_id, std::string_view key) = 0;
  virtual boost::asio::awaitable<void> clear_tenant(std::string_view tenant_id) = 0;
  // Live entries of one tenant (for autoblog_tenant_resource_usage{resource_type="cache_entries"}).
  virtual boost::asio::awaitable<std::int64_t> count_entries(std::string_view tenant_id) = 0;
  // A round trip to the backend (health checks); false when unreachable.
  virtual boost::asio::awaitable<bool> ping() = 0;
};

}  // namespace autoblog::cache
