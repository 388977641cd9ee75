#include "hosted/site_directory.h"

#include "db/transaction.h"
#include "hosted/blog_queries.h"

namespace autoblog::hosted {

boost::asio::awaitable<std::optional<std::string>> SiteDirectory::tenant_for(
    const std::string& host) {
  // An unknown host may be a tenant created (or given its domain) after the last load: a new
  // tenant is not announced to other nodes. So a miss reloads the map once it is older than
  // kMissRecheck — at most one query per second per node, whatever anonymous clients send.
  for (bool after_miss = false;; after_miss = true) {
    const auto generation = registry_.generation();
    const auto now = std::chrono::steady_clock::now();
    std::shared_ptr<const Map> map;
    bool load = false;
    {
      std::lock_guard lock(mutex_);
      map = map_;
      bool fresh = map && map->generation == generation && now - map->loaded < ttl_ &&
                   !(after_miss && now - map->loaded >= kMissRecheck);
      if (!fresh && (!loading_ || !map)) load = loading_ = true;
    }
    if (load) {
      auto next = std::make_shared<Map>();
      next->generation = generation;  // read before the query: a change meanwhile reloads again
      next->loaded = now;
      try {
        auto tx = co_await db::CoreTx::begin(pool_);
        auto r = co_await tx.commit_with(queries::kSites);
        for (int i = 0; i < r.rows(); ++i)
          next->tenant_by_domain.emplace(std::string(r.get(i, 0)), std::string(r.get(i, 1)));
      } catch (...) {
        std::lock_guard lock(mutex_);
        loading_ = false;
        throw;
      }
      std::lock_guard lock(mutex_);
      map_ = next;
      map = std::move(next);
      loading_ = false;
    }
    auto it = map->tenant_by_domain.find(host);
    if (it != map->tenant_by_domain.end()) co_return it->second;
    if (after_miss || load || now - map->loaded < kMissRecheck) co_return std::nullopt;
  }
}

}  // namespace autoblog::hosted
