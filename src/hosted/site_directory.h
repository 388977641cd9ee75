#pragma once
// Which tenant a site host belongs to: the active tenants' domains, loaded as one map and
// read without a database round trip. The map is reloaded when the tenant registry's
// generation moves (a tenant changed on any node, see tenancy/change_listener.h) or after
// `ttl`; one request reloads while the others keep using the previous map. Unknown hosts cost
// a hash lookup, however many a client invents. Thread-safe; the pool and registry must
// outlive it.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "db/pool.h"
#include "tenancy/registry.h"

namespace autoblog::hosted {

class SiteDirectory {
 public:
  SiteDirectory(db::Pool& pool, tenancy::TenantRegistry& registry, std::chrono::seconds ttl)
      : pool_(pool), registry_(registry), ttl_(ttl) {}

  // The tenant id serving `host` (canonical, hosted/host.h), or nullopt.
  boost::asio::awaitable<std::optional<std::string>> tenant_for(const std::string& host);

  // How old the map must be before a host it does not know reloads it.
  static constexpr std::chrono::seconds kMissRecheck{1};

 private:
  struct Map {
    std::unordered_map<std::string, std::string> tenant_by_domain;
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point loaded;
  };
  db::Pool& pool_;
  tenancy::TenantRegistry& registry_;
  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::shared_ptr<const Map> map_;
  bool loading_ = false;
};

}  // namespace autoblog::hosted
