#include "api/usage_reporter.h"

#include <algorithm>

#include "cache/tenant_cache.h"
#include "observability/metrics.h"
#include "storage/object_storage.h"
#include "util/task_group.h"

namespace autoblog::api {

UsageReporter::UsageReporter(util::TaskGroup& tasks, boost::asio::any_io_executor executor,
                             storage::ObjectStorage& storage, cache::TenantCache& cache,
                             observability::Metrics& metrics, std::chrono::seconds min_interval,
                             std::chrono::seconds max_age)
    : tasks_(tasks),
      executor_(std::move(executor)),
      storage_(storage),
      cache_(cache),
      metrics_(metrics),
      min_interval_(min_interval),
      max_age_(max_age) {}

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
    set_storage_bytes(tenant_id, static_cast<std::int64_t>(bytes));
    metrics_.set_resource_usage(tenant_id, "storage_bytes", static_cast<double>(bytes));
    auto entries = co_await cache_.count_entries(tenant_id);
    metrics_.set_resource_usage(tenant_id, "cache_entries", static_cast<double>(entries));
  } catch (const std::exception&) {
    // A metric refresh is best effort; the backend's own errors are logged where they occur.
    // (operation_aborted at shutdown ends up here too, which is what we want.)
  }
}

boost::asio::awaitable<std::int64_t> UsageReporter::storage_bytes(const std::string& tenant_id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = stored_.find(tenant_id);
    if (it != stored_.end() && now - it->second.measured < max_age_) co_return it->second.bytes;
  }
  auto bytes = static_cast<std::int64_t>(co_await storage_.usage_bytes(tenant_id));
  set_storage_bytes(tenant_id, bytes);
  co_return bytes;
}

void UsageReporter::add_storage_delta(const std::string& tenant_id, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  auto it = stored_.find(tenant_id);
  if (it == stored_.end()) return;
  it->second.bytes = std::max<std::int64_t>(0, it->second.bytes + delta);
}

void UsageReporter::forget_storage_bytes(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  stored_.erase(tenant_id);
}

void UsageReporter::set_storage_bytes(const std::string& tenant_id, std::int64_t bytes) {
  std::lock_guard lock(mutex_);
  stored_[tenant_id] = StoredBytes{bytes, std::chrono::steady_clock::now()};
}

}  // namespace autoblog::api
