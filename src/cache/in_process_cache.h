#pragma once
// In-process TenantCache (embedded mode): one LRU list bounded in bytes, TTL per entry, keys
// namespaced per tenant (a (tenant, key) pair: the in-process equivalent of t:{tenant_id}:{key}).
// clear_tenant is O(1): it bumps the tenant's generation, and entries stamped with an older
// generation read as misses and are freed lazily (on access, by count_entries, or as they reach
// the LRU tail). Their bytes keep counting against max_bytes until then, so the bound holds.
// Bytes per entry = key + value + kEntryOverhead (the list node, the index node and the bucket).
// A tenant's bookkeeping is freed with its last entry, so idle tenants cost nothing.
// Thread-safe: one mutex (every operation is a few hash probes; no I/O under it). The cache owns
// copies of everything stored. A ttl <= 0 stores nothing (and removes the previous value);
// a value larger than max_bytes is not cached either.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cache/tenant_cache.h"
#include "util/string_hash.h"

namespace autoblog::cache {

class InProcessCache : public TenantCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Approximate bookkeeping bytes per entry beyond its key and value.
  static constexpr std::size_t kEntryOverhead = 192;

  // An empty `clock` means std::chrono::steady_clock::now.
  explicit InProcessCache(std::size_t max_bytes, Clock clock = {});

  InProcessCache(const InProcessCache&) = delete;
  InProcessCache& operator=(const InProcessCache&) = delete;

  boost::asio::awaitable<std::optional<std::string>> get(std::string_view tenant_id,
                                                         std::string_view key) override;
  boost::asio::awaitable<void> set(std::string_view tenant_id, std::string_view key,
                                   std::string value, std::chrono::seconds ttl) override;
  boost::asio::awaitable<void> del(std::string_view tenant_id, std::string_view key) override;
  boost::asio::awaitable<void> clear_tenant(std::string_view tenant_id) override;
  // O(entries of this tenant still held), stale ones included (and freed on the way).
  boost::asio::awaitable<std::int64_t> count_entries(std::string_view tenant_id) override;
  boost::asio::awaitable<bool> ping() override;

  // Bytes currently charged (live and not-yet-freed stale entries); always <= max_bytes.
  std::size_t bytes_used() const;
  std::size_t max_bytes() const { return max_bytes_; }

 private:
  using StringHash = util::StringHash;
  struct Tenant;
  struct Entry {
    Tenant* tenant;  // stable: unordered_map nodes never move
    std::string key;
    std::string value;
    std::chrono::steady_clock::time_point expires_at;
    std::uint64_t generation;
    std::size_t bytes;
  };
  using Lru = std::list<Entry>;  // front = most recently used
  struct Tenant {
    std::string id;
    std::uint64_t generation = 0;
    // Views point into Entry::key, which lives as long as the index entry does.
    std::unordered_map<std::string_view, Lru::iterator> entries;
  };

  bool live(const Entry& e, std::chrono::steady_clock::time_point now) const {
    return e.generation == e.tenant->generation && now < e.expires_at;
  }
  Tenant* find_tenant(std::string_view tenant_id);
  // Unlinks one entry everywhere, and its tenant when that was the last entry. Caller holds mu_.
  void erase(Lru::iterator it);

  const std::size_t max_bytes_;
  const Clock clock_;
  mutable std::mutex mu_;
  Lru lru_;
  std::unordered_map<std::string, Tenant, StringHash, std::equal_to<>> tenants_;
  std::size_t bytes_ = 0;
};

}  // namespace autoblog::cache
