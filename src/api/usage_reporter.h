#pragma once
// Keeps autoblog_tenant_resource_usage current without scanning on every request: requests this
// hour come from each rate-limit decision; storage bytes and cache entries are re-measured for a
// tenant after it changes them, at most once per `min_interval`, off the request path.
// Refreshes run as tasks of the runtime's group (each on its own strand), so shutdown waits for
// them. Thread-safe; borrows the group, storage, cache and metrics, which must outlive it.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace autoblog::storage {
class ObjectStorage;
}
namespace autoblog::cache {
class TenantCache;
}
namespace autoblog::observability {
class Metrics;
}
namespace autoblog::util {
class TaskGroup;
}

namespace autoblog::api {

class UsageReporter {
 public:
  UsageReporter(util::TaskGroup& tasks, boost::asio::any_io_executor executor,
                storage::ObjectStorage& storage,
                cache::TenantCache& cache, observability::Metrics& metrics,
                std::chrono::seconds min_interval = std::chrono::seconds(30));

  // Schedules a re-measure of the tenant's storage bytes and cache entries (coalesced).
  void touched(const std::string& tenant_id);

 private:
  boost::asio::awaitable<void> refresh(std::string tenant_id);
  util::TaskGroup& tasks_;
  boost::asio::any_io_executor executor_;
  storage::ObjectStorage& storage_;
  cache::TenantCache& cache_;
  observability::Metrics& metrics_;
  std::chrono::seconds min_interval_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_;
};

}  // namespace autoblog::api
