#include "api/usage_reporter.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "cache/tenant_cache.h"
#include "observability/metrics.h"
#include "storage/object_storage.h"

namespace autoblog::api {

UsageReporter::UsageReporter(boost::asio::any_io_executor executor,
                             storage::ObjectStorage& storage, cache::TenantCache& cache,
                             observability::Metrics& metrics, std::chrono::seconds min_interval)
    : executor_(std::move(executor)),
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
  boost::asio::co_spawn(
      executor_,
      [this, tenant_id]() -> boost::asio::awaitable<void> {
        try {
          auto bytes = co_await storage_.usage_bytes(tenant_id);
          metrics_.set_resource_usage(tenant_id, "storage_bytes", static_cast<double>(bytes));
          auto entries = co_await cache_.count_entries(tenant_id);
          metrics_.set_resource_usage(tenant_id, "cache_entries", static_cast<double>(entries));
        } catch (const std::exception&) {
          // A metric refresh is best effort; the backend's own errors are logged where they occur.
        }
      },
      boost::asio::detached);
}

}  // namespace autoblog::api
