#include "jobs/scheduler.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>

#include "db/transaction.h"
#include "jobs/discovery_service.h"
#include "jobs/enqueue.h"
#include "jobs/scheduler_queries.h"
#include "observability/log.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
namespace json = boost::json;
using observability::log_info;
using observability::log_warn;

namespace {

bool cancelled(const boost::system::system_error& e) {
  return e.code() == asio::error::operation_aborted;
}

}  // namespace

asio::awaitable<bool> DiscoveryScheduler::schedule(const std::string& tenant_id, int& enqueued) {
  auto tenant = co_await registry_.resolve_active(tenant_id);
  auto tx = co_await tenancy::TenantTx::begin(pool_, *tenant);
  db::Params hour{db::param(static_cast<std::int64_t>(options_.hour.count()))};
  auto claimed = co_await tx.exec(sql::kClaimPeriod, std::move(hour));
  if (claimed.empty()) co_return false;  // not due after all, or another node holds it
  if (claimed.is_null(0, 0)) {           // planned only: its first period is still ahead
    co_await tx.commit();
    co_return true;
  }
  const std::string period(claimed.get(0, 0));
  NewJob job;
  job.kind = std::string(kDiscoverTrends);
  job.priority = Priority::kNormal;
  job.max_attempts = kDiscoveryMaxAttempts;
  job.payload_json = json::serialize(json::object{{"scheduled_for", period}});
  job.idempotency_key = "discover:" + period;
  auto job_row = co_await enqueue(tx, *tenant, job);
  co_await tx.commit();
  if (!job_row.created) co_return true;  // the period's job was already queued: not a new run
  ++enqueued;
  metrics_.count_scheduler_run(true);
  log_info("scheduled discovery enqueued",
           {{"tenant_id", tenant_id}, {"period", period}, {"job_id", job_row.id}});
  co_return true;
}

asio::awaitable<int> DiscoveryScheduler::tick() {
  int enqueued = 0;
  // Rows left due (held by another node, or failing) stay ahead of the others in the scan's
  // order: skip past them, so they never starve the tenants behind.
  std::int64_t skip = 0;
  for (;;) {
    auto tx = co_await db::CoreTx::begin(pool_);
    db::Params batch{db::param(options_.batch), db::param(skip)};
    auto due = co_await tx.commit_with(sql::kDueSchedules, std::move(batch));
    int changed = 0;
    for (int row = 0; row < due.rows(); ++row) {
      const std::string tenant_id(due.get(row, 0));
      std::string failure;
      try {
        if (co_await schedule(tenant_id, enqueued)) ++changed;
      } catch (const boost::system::system_error& e) {
        if (cancelled(e)) throw;
        failure = e.what();
      } catch (const std::exception& e) {
        failure = e.what();
      }
      if (!failure.empty()) {
        metrics_.count_scheduler_run(false);
        log_warn("scheduled discovery not enqueued; tried again at the next tick",
                 {{"tenant_id", tenant_id}, {"error", failure}});
      }
    }
    // A full batch may have more behind it.
    if (due.rows() < options_.batch) co_return enqueued;
    skip += due.rows() - changed;
  }
}

asio::awaitable<void> DiscoveryScheduler::run() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(options_.interval);
    co_await timer.async_wait(asio::use_awaitable);  // throws operation_aborted when cancelled
    try {
      co_await tick();
    } catch (const boost::system::system_error& e) {
      if (cancelled(e)) throw;
      log_warn("discovery scheduler tick failed", {{"error", e.what()}});
    } catch (const std::exception& e) {
      log_warn("discovery scheduler tick failed", {{"error", e.what()}});
    }
  }
}

}  // namespace autoblog::jobs
