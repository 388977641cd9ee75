#pragma once
// Scheduled trend discovery (docs/trends.md "Scheduled discovery"): every node runs one
// DiscoveryScheduler; each tick it finds the tenants whose schedule
// (autoblog_core.discovery_schedules, kept by PUT /v1/brand) is due and, per tenant, in ONE
// tenant transaction claims the period (the schedule row moves past it) and enqueues that
// period's discover_trends job (idempotency key "discover:<period start>", payload
// {"scheduled_for": "<period start>"}). So a period runs once however many nodes tick at the
// same moment: the row lock and its re-check decide, and a crash between claim and enqueue
// rolls both back, to be claimed again at the next tick. The job then reads the brand
// (feeds, auto_generate) when it runs, as a requested one does.
// Thread-safety: tick() and run() may run concurrently with each other on any threads (all
// state is in the database). The pool, registry and metrics must outlive the scheduler; the
// runtime owns run() in its task group.
#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "db/pool.h"
#include "observability/metrics.h"
#include "tenancy/registry.h"

namespace autoblog::jobs {

struct SchedulerOptions {
  std::chrono::milliseconds interval{60000};  // between ticks
  // The length of one "hour" of every_hours. Only tests shorten it (a testing knob).
  std::chrono::seconds hour{3600};
  int batch = 100;  // tenants read per scan; a tick scans again while scans come back full
};

class DiscoveryScheduler {
 public:
  DiscoveryScheduler(db::Pool& pool, tenancy::TenantRegistry& registry,
                     observability::Metrics& metrics, SchedulerOptions options)
      : pool_(pool), registry_(registry), metrics_(metrics), options_(options) {}

  // One pass over the due schedules; returns the periods enqueued. A tenant whose claim fails
  // (suspended or deleted meanwhile, a database error) is logged and skipped: its row stays
  // due for the next tick.
  boost::asio::awaitable<int> tick();
  // tick() every interval until cancelled; a failed tick is logged and the loop goes on.
  boost::asio::awaitable<void> run();

 private:
  // true: claimed or planned (the row changed); false: nothing to do for it now.
  boost::asio::awaitable<bool> schedule(const std::string& tenant_id, int& enqueued);

  db::Pool& pool_;
  tenancy::TenantRegistry& registry_;
  observability::Metrics& metrics_;
  SchedulerOptions options_;
};

}  // namespace autoblog::jobs
