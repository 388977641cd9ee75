#pragma once
// The hosted blog's rendered pages, kept in process (least recently used first out, bounded in
// entries and bytes). A page is valid while its tenant's blog version (bumped when a post is
// published or unpublished, on any node: tenancy/change_listener.h) and the tenant registry's
// generation (a tenant's name or domain changed, or notifications may have been missed) are what
// they were when it was rendered; stale pages are dropped when next read. Thread-safe (one
// mutex: a hit is a hash lookup and a list splice).
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace autoblog::hosted {

struct CachedPage {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::string content_id;  // a post page: the item it shows (its views are counted)
};

struct PageStamp {
  std::uint64_t tenant_version = 0;
  std::uint64_t registry_generation = 0;
  bool operator==(const PageStamp&) const = default;
};

class PageCache {
 public:
  PageCache(std::size_t max_entries, std::size_t max_bytes)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // The stamp a page of `tenant_id` rendered from now on carries. Take it before reading the
  // database, so a change committed meanwhile makes the page stale rather than lost.
  PageStamp stamp(const std::string& tenant_id, std::uint64_t registry_generation);
  // `key` names tenant and page; null when absent or stale.
  std::shared_ptr<const CachedPage> get(const std::string& key, const PageStamp& current);
  void put(const std::string& key, const PageStamp& stamp, std::shared_ptr<const CachedPage> page);
  // A post of the tenant was published or unpublished.
  void tenant_changed(const std::string& tenant_id);

 private:
  struct Entry {
    std::list<std::string>::iterator lru;
    PageStamp stamp;
    std::shared_ptr<const CachedPage> page;
  };
  void erase(std::unordered_map<std::string, Entry>::iterator it);

  const std::size_t max_entries_;
  const std::size_t max_bytes_;
  std::mutex mutex_;
  std::list<std::string> lru_;  // most recent first
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, std::uint64_t> versions_;  // tenant id → blog version
  std::size_t bytes_ = 0;
};

}  // namespace autoblog::hosted
