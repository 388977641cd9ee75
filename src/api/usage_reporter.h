#pragma once
// Keeps autoblog_tenant_resource_usage current without scanning on every request: requests this
// hour come from each rate-limit decision; storage bytes and cache entries are re-measured for a
// tenant after it changes them, at most once per `min_interval`, off the request path.
// Refreshes run as tasks of the runtime's group (each on its own strand), so shutdown waits for
// them.
// It also keeps the per-tenant stored-bytes figure the storage quota is checked against
// (api/files_api.cpp), so a PUT never rescans storage: measured when unknown or older than
// `max_age`, re-measured by the refreshes above, and moved by each PUT's and DELETE's size delta
// in between. How exact: writes of other API nodes are seen at the next re-measure (at most
// `max_age` late); a write concurrent with a re-measure may be counted twice or not at all until
// the next one; concurrent PUTs of one tenant are checked against the same figure, so together
// they can overshoot the quota by their own sizes. Thread-safe; borrows the group, storage, cache and metrics, which must outlive it.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
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
                std::chrono::seconds min_interval = std::chrono::seconds(30),
                std::chrono::seconds max_age = std::chrono::seconds(60));

  // Schedules a re-measure of the tenant's storage bytes and cache entries (coalesced).
  void touched(const std::string& tenant_id);

  // The tenant's stored bytes as this node knows them (measuring first when needed; throws
  // storage::StorageUnavailable like the backend).
  boost::asio::awaitable<std::int64_t> storage_bytes(const std::string& tenant_id);
  // Applies a PUT's or DELETE's size change to the figure (ignored while it is unknown).
  void add_storage_delta(const std::string& tenant_id, std::int64_t delta);
  // A change whose size delta is unknown (tenants without a quota are not stat'ed): the figure is
  // measured again when next needed.
  void forget_storage_bytes(const std::string& tenant_id);

 private:
  boost::asio::awaitable<void> refresh(std::string tenant_id);
  util::TaskGroup& tasks_;
  boost::asio::any_io_executor executor_;
  storage::ObjectStorage& storage_;
  cache::TenantCache& cache_;
  observability::Metrics& metrics_;
  void set_storage_bytes(const std::string& tenant_id, std::int64_t bytes);

  std::chrono::seconds min_interval_;
  std::chrono::seconds max_age_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_;
  struct StoredBytes {
    std::int64_t bytes = 0;
    std::chrono::steady_clock::time_point measured;
  };
  std::unordered_map<std::string, StoredBytes> stored_;
};

}  // namespace autoblog::api
