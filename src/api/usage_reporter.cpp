#include "api/usage_reporter.h"


#include "cache/tenant_cache.h"
#include "observability/metrics.h"
#include "storage/object_storage.h"
#include "util/task_group.h"

namespace autoblog::api {

UsageReporter::UsageReporter(util::TaskGroup& tasks, boost::asio::any_io_executor executor,
                             storage::ObjectStorage& storage, cache::TenantCache& cache,
                             observability::Metrics& metrics, std::chrono::seconds min_interval)
    : tasks_(tasks),
      executor_(std::move(executor)),
      storage_(storage),
      cache_(cache),
      metrics_(metrics),
      min_interval_(min_interval) {}

void UsageReporter::touched(const std::string& tenant_id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto& last = last_[tenant_id];
    if (last != std::chrono::steady_clock::time_point{} && now - last < min_interval_) return;
    last = now;
  }
  // A task of the runtime's group, on a strand of its own: the Redis client's callers must run
  // on a strand, and shutdown cancels and waits for the refresh instead of abandoning its frame.
  tasks_.spawn("usage-refresh", executor_, refresh(tenant_id));
}

boost::asio::awaitable<void> UsageReporter::refresh(std::string tenant_id) {
  try {
    auto bytes = co_await storage_.usage_bytes(tenant_id);
    metrics_.set_resource_usage(tenant_id, "storage_bytes", static_cast<double>(bytes));
    auto entries = co_await cache_.count_entries(tenant_id);
    metrics_.set_resource_usage(tenant_id, "cache_entries", static_cast<double>(entries));
  } catch (const std::exception&) {
    // A metric refresh is best effort; the backend's own errors are logged where they occur.
    // (operation_aborted at shutdown ends up here too, which is what we want.)
  }
}

}  // namespace autoblog::api
