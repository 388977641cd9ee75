#pragma once
// What a job kind does, and what it may touch while doing it.
// A handler gets a JobContext for one claimed job: the job's tenant, resolved by the worker
// from the job row's tenant_id alone (nothing carries over from the previous job), and
// transactions on that tenant only (TenantTx: its schema, and its own core rows). A handler
// reports success by returning a result (the worker records it, batched), or by completing
// the job inside its own transaction with ctx.complete(), so that its writes and the
// completion commit together — exactly once even when workers die or lose their lease.
// Failure: throw (retried with backoff), jobs::PermanentFailure (failed at once), jobs::Snooze
// (later, no attempt spent); see jobs/errors.h.
// Handlers are shared by every worker coroutine: run() must be thread-safe (stateless or
// internally synchronised). The registry is built once at start-up and then only read.
#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <string>

#include "db/pool.h"
#include "jobs/job.h"
#include "tenancy/active_tenant.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

class JobContext {
 public:
  JobContext(const ClaimedJob& job, const tenancy::ActiveTenant& tenant, db::Pool& pool,
             std::string owner)
      : job_(job), tenant_(tenant), pool_(pool), owner_(std::move(owner)) {}

  const ClaimedJob& job() const { return job_; }
  const tenancy::ActiveTenant& tenant() const { return tenant_; }

  // A transaction on the job's tenant.
  boost::asio::awaitable<tenancy::TenantTx> begin() const;
  // Marks the job succeeded with `result_json` inside `tx` and commits `tx`. Throws LeaseLost
  // (and `tx` is rolled back) when this worker no longer holds the job.
  boost::asio::awaitable<void> complete(tenancy::TenantTx& tx, const std::string& result_json);
  bool completed() const { return completed_; }
  // Locks the job's row in `tx` while this worker holds the job; throws LeaseLost otherwise
  // (another worker may be running it: what `tx` would write must not commit).
  boost::asio::awaitable<void> hold(tenancy::TenantTx& tx);

 private:
  const ClaimedJob& job_;
  const tenancy::ActiveTenant& tenant_;
  db::Pool& pool_;
  std::string owner_;
  bool completed_ = false;
};

class JobHandler {
 public:
  virtual ~JobHandler() = default;
  // The result JSON (ignored when the handler called ctx.complete()).
  virtual boost::asio::awaitable<std::string> run(JobContext& ctx) = 0;
  // Runs in the transaction that ends the job failed or dead: undo what enqueueing it did
  // beyond the job row (e.g. the content item leaves `generating`). `reason` is the job's last
  // error, as recorded on the job.
  virtual boost::asio::awaitable<void> given_up(tenancy::TenantTx& tx, const ClaimedJob& job,
                                                const std::string& reason);
};

class HandlerRegistry {
 public:
  void add(std::string kind, std::shared_ptr<JobHandler> handler) {
    handlers_[std::move(kind)] = std::move(handler);
  }
  JobHandler* find(const std::string& kind) const {
    auto it = handlers_.find(kind);
    return it == handlers_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<std::string, std::shared_ptr<JobHandler>, std::less<>> handlers_;
};

}  // namespace autoblog::jobs
