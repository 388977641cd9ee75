#include "hosted/page_cache.h"

namespace autoblog::hosted {

PageStamp PageCache::stamp(const std::string& tenant_id, std::uint64_t registry_generation) {
  std::lock_guard lock(mutex_);
  auto it = versions_.find(tenant_id);
  return {it == versions_.end() ? 0 : it->second, registry_generation};
}

std::shared_ptr<const CachedPage> PageCache::get(const std::string& key,
                                                 const PageStamp& current) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (!(it->second.stamp == current)) {
    erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.page;
}

void PageCache::put(const std::string& key, const PageStamp& stamp,
                    std::shared_ptr<const CachedPage> page) {
  const std::size_t size = key.size() + page->body.size();
  if (size > max_bytes_ / 4) return;  // one page never pushes out most of the others
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) erase(it);
  lru_.push_front(key);
  entries_.emplace(key, Entry{lru_.begin(), stamp, std::move(page)});
  bytes_ += size;
  while (!lru_.empty() && (entries_.size() > max_entries_ || bytes_ > max_bytes_))
    erase(entries_.find(lru_.back()));
}

void PageCache::tenant_changed(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  // Versions are kept per tenant that ever changed: one integer each, bounded by the tenants.
  ++versions_[tenant_id];
}

void PageCache::erase(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= it->first.size() + it->second.page->body.size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace autoblog::hosted
