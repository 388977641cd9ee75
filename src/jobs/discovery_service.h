#pragma once
// Asking for trend discovery (POST /v1/trends/discover): one tenant transaction checks that the
// brand lists feeds and queues a discover_trends job at normal priority (the queue's routing:
// generations high, discovery normal, maintenance low). The job reads the brand again when it
// runs, so a PUT /v1/brand in between is what it uses.
// Thread-safe (holds the pool only); the pool must outlive the service.
#include <boost/asio/awaitable.hpp>

#include "db/pool.h"
#include "jobs/enqueue.h"
#include "tenancy/active_tenant.h"

namespace autoblog::jobs {

// A run rarely needs retries of its own: a feed that fails is reported, not retried.
inline constexpr int kDiscoveryMaxAttempts = 3;

class DiscoveryService {
 public:
  explicit DiscoveryService(db::Pool& pool) : pool_(pool) {}

  // NoFeeds when the tenant has no brand or its brand lists no feeds.
  boost::asio::awaitable<EnqueuedJob> request(const tenancy::ActiveTenant& tenant) const;

 private:
  db::Pool& pool_;
};

}  // namespace autoblog::jobs
