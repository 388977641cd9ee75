// In-process byte-bounded LRU cache with per-tenant generations; see the header.
#include "cache/in_process_cache.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace autoblog::cache {

InProcessCache::InProcessCache(std::size_t max_bytes, Clock clock)
    : max_bytes_(max_bytes),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

InProcessCache::Tenant* InProcessCache::find_tenant(std::string_view tenant_id) {
  const auto it = tenants_.find(tenant_id);
  return it == tenants_.end() ? nullptr : &it->second;
}

void InProcessCache::erase(Lru::iterator it) {
  Tenant* t = it->tenant;
  t->entries.erase(std::string_view(it->key));
  bytes_ -= it->bytes;
  lru_.erase(it);
  if (t->entries.empty()) {
    // Nothing left to invalidate, so the generation can be forgotten with the tenant.
    tenants_.erase(tenants_.find(std::string_view(t->id)));
  }
}

boost::asio::awaitable<std::optional<std::string>> InProcessCache::get(std::string_view tenant_id,
                                                                       std::string_view key) {
  const auto now = clock_();
  std::optional<std::string> out;
  {
    std::lock_guard lock(mu_);
    if (Tenant* t = find_tenant(tenant_id)) {
      if (const auto e = t->entries.find(key); e != t->entries.end()) {
        const Lru::iterator it = e->second;
        if (live(*it, now)) {
          lru_.splice(lru_.begin(), lru_, it);
          out = it->value;
        } else {
          erase(it);
        }
      }
    }
  }
  co_return out;
}

boost::asio::awaitable<void> InProcessCache::set(std::string_view tenant_id, std::string_view key,
                                                 std::string value, std::chrono::seconds ttl) {
  const auto now = clock_();
  const std::size_t bytes = key.size() + value.size() + kEntryOverhead;
  // now + ttl must not overflow the clock's nanosecond count (about 292 years).
  ttl = std::min(ttl, std::chrono::seconds(std::chrono::hours(24 * 365 * 100)));
  {
    std::lock_guard lock(mu_);
    Tenant* t = find_tenant(tenant_id);
    if (t != nullptr) {
      // A set always replaces: the old value must not survive even if the new one is refused.
      if (const auto e = t->entries.find(key); e != t->entries.end()) {
        const bool last = t->entries.size() == 1;
        erase(e->second);
        if (last) t = nullptr;  // erase() dropped the tenant with its last entry
      }
    }
    if (ttl.count() > 0 && bytes <= max_bytes_) {
      // Make room first, so the new entry itself is never the one evicted.
      while (bytes_ + bytes > max_bytes_ && !lru_.empty()) {
        const bool own_last = t != nullptr && lru_.back().tenant == t && t->entries.size() == 1;
        erase(std::prev(lru_.end()));
        if (own_last) t = nullptr;
      }
      if (t == nullptr) {
        auto [it, inserted] = tenants_.try_emplace(std::string(tenant_id));
        t = &it->second;
        if (inserted) t->id = it->first;
      }
      lru_.push_front(
          Entry{t, std::string(key), std::move(value), now + ttl, t->generation, bytes});
      t->entries.emplace(std::string_view(lru_.front().key), lru_.begin());
      bytes_ += bytes;
    }
  }
  co_return;
}

boost::asio::awaitable<void> InProcessCache::del(std::string_view tenant_id, std::string_view key) {
  {
    std::lock_guard lock(mu_);
    if (Tenant* t = find_tenant(tenant_id)) {
      if (const auto e = t->entries.find(key); e != t->entries.end()) erase(e->second);
    }
  }
  co_return;
}

boost::asio::awaitable<void> InProcessCache::clear_tenant(std::string_view tenant_id) {
  {
    std::lock_guard lock(mu_);
    if (Tenant* t = find_tenant(tenant_id)) ++t->generation;
  }
  co_return;
}

boost::asio::awaitable<std::int64_t> InProcessCache::count_entries(std::string_view tenant_id) {
  const auto now = clock_();
  std::int64_t n = 0;
  {
    std::lock_guard lock(mu_);
    if (Tenant* t = find_tenant(tenant_id)) {
      // Collect first: freeing the last stale entry frees `t` itself.
      std::vector<Lru::iterator> stale;
      for (const auto& [k, it] : t->entries) {
        if (live(*it, now)) {
          ++n;
        } else {
          stale.push_back(it);
        }
      }
      for (const Lru::iterator it : stale) erase(it);
    }
  }
  co_return n;
}

boost::asio::awaitable<bool> InProcessCache::ping() {
  co_return true;
}

std::size_t InProcessCache::bytes_used() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace autoblog::cache
