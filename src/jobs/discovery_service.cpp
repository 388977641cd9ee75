#include "jobs/discovery_service.h"

#include "jobs/errors.h"
#include "jobs/trends_queries.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

namespace asio = boost::asio;

asio::awaitable<EnqueuedJob> DiscoveryService::request(const tenancy::ActiveTenant& tenant) const {
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  auto feeds = co_await tx.exec(sql::kDiscoveryFeedCount);
  if (feeds.empty() || feeds.get_int(0, 0) == 0) throw NoFeeds();
  NewJob job;
  job.kind = std::string(kDiscoverTrends);
  job.priority = Priority::kNormal;
  job.max_attempts = kDiscoveryMaxAttempts;
  auto enqueued = co_await enqueue(tx, tenant, job);
  co_await tx.commit();
  co_return enqueued;
}

}  // namespace autoblog::jobs
