#pragma once
// Page views of the hosted blog, counted by AutoBlog itself (no third-party script): every post
// page served (from the page cache or not) adds one to its item's count in memory; a flush
// writes each tenant's counts as one content_performance record per item,
// {"views": n, "source": "hosted"}, in one statement per tenant. So views are summed by
// GET /v1/content/{id}/performance?bucket=… and rank GET /v1/performance/top like any other
// metric, and a page view costs no database round trip.
// Counts not yet flushed are lost if the process dies (at most one flush interval's worth);
// `serve` flushes once more when it stops. Memory is bounded: past `max_items` distinct items
// between two flushes, further new items are not counted until the next flush (logged).
// Thread-safe (a mutex around the pending counts); the pool and registry must outlive it.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "db/pool.h"
#include "tenancy/registry.h"

namespace autoblog::hosted {

class ViewCounter {
 public:
  ViewCounter(db::Pool& pool, tenancy::TenantRegistry& registry, std::size_t max_items = 100000)
      : pool_(pool), registry_(registry), max_items_(max_items) {}

  void count(const std::string& tenant_id, const std::string& content_id);
  // Writes and forgets the pending counts. A tenant whose write fails (deleted meanwhile, the
  // database away) loses its counts for this interval; the others are written.
  boost::asio::awaitable<void> flush();
  // flush() every `every` until cancelled.
  boost::asio::awaitable<void> run(std::chrono::milliseconds every);

 private:
  db::Pool& pool_;
  tenancy::TenantRegistry& registry_;
  const std::size_t max_items_;
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::int64_t>> pending_;  // guarded by mutex_
  std::size_t items_ = 0;                                               // guarded by mutex_
  bool overflow_logged_ = false;                                        // guarded by mutex_
};

}  // namespace autoblog::hosted
