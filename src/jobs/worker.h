#pragma once
// A job worker: claims jobs from the PostgreSQL queue and runs up to `concurrency` of them at
// once, in this process (`serve --workers N`) or in its own (`autoblog worker`); any number of
// workers on any number of machines share one queue (docs/jobs.md).
//
// What runs, all on one strand:
//   - the claim loop: claims as many jobs as there are free slots (one statement, up to
//     max_claim_batch) whenever it is woken — by a NOTIFY from an enqueue or a requeue, by a
//     slot freeing up — or, as a safety net, every `poll`;
//   - the listener: its own connection LISTENing to autoblog_jobs (reconnects on failure);
//   - heartbeats: every `heartbeat`, one statement extends the leases of every job this worker
//     runs; a job whose lease was lost (another worker took it after it expired) is cancelled
//     here, and its fenced writes would be refused anyway;
//   - the janitor: every `janitor_interval` it puts jobs whose lease expired back in the queue
//     (or dead, attempts spent), prunes finished jobs older than `retention` and samples the
//     queue gauges; every worker runs one, SKIP LOCKED keeps them out of each other's way;
//   - completions of handlers that wrote nothing themselves, batched into one statement.
// Each job runs as its own coroutine with its own cancellation signal; its tenant is resolved
// from the job row's tenant_id alone.
//
// Lifetime: spawn run() on executor() (the runtime's task group does), and before cancelling
// it or destroying the worker, await drain(): it stops claiming, lets running jobs finish until
// the deadline, cancels the rest — they go back to the queue without spending an attempt — and
// returns when no job coroutine is left. The pool, registry, handlers and metrics must outlive
// the worker. Thread-safety: drain() may be awaited from any executor.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/pool.h"
#include "jobs/handler.h"
#include "jobs/job.h"

namespace autoblog::observability {
class Metrics;
}
namespace autoblog::tenancy {
class TenantRegistry;
}

namespace autoblog::jobs {

struct WorkerOptions {
  std::string conninfo;  // for the LISTEN connection
  std::string name;      // lease owner prefix; default host:pid
  int concurrency = 4;
  int max_claim_batch = 100;
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds heartbeat{10000};
  std::chrono::milliseconds poll{2000};
  std::chrono::milliseconds janitor_interval{1000};
  std::chrono::milliseconds retention{7LL * 24 * 3600 * 1000};
  std::chrono::milliseconds retry_base{2000};  // backoff of attempt n: base·2^(n−1), jittered
  std::chrono::milliseconds retry_cap{600000};
  std::chrono::milliseconds suspended_tenant_delay{60000};
  // Completions wait this long for others to share their statement.
  std::chrono::milliseconds completion_batch_window{2};
  // max_concurrent_generations by tier (starter, growth, enterprise) unless the tenant overrides.
  int tier_caps[3] = {1, 3, 10};
};

class Worker {
 public:
  Worker(boost::asio::any_io_executor executor, db::Pool& pool, tenancy::TenantRegistry& registry,
         const HandlerRegistry& handlers, observability::Metrics& metrics, WorkerOptions options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::any_io_executor executor() const { return strand_; }
  const std::string& owner() const { return owner_; }
  // Runs until cancelled (see the lifetime note above).
  boost::asio::awaitable<void> run();
  // Awaitable from any executor.
  boost::asio::awaitable<void> drain(std::chrono::steady_clock::time_point deadline);

 private:
  struct RunningJob {
    ClaimedJob job;
    // Shared with the coroutine's completion handler, which asio clears the slot of after the
    // coroutine has returned (and erased this entry).
    std::shared_ptr<boost::asio::cancellation_signal> signal =
        std::make_shared<boost::asio::cancellation_signal>();
    bool lost = false;       // the heartbeat found the lease gone
    bool released = false;   // cancelled by drain: give it back without spending an attempt
  };
  struct Completion {
    std::string id;
    int claim;
    std::string result_json;
  };

  boost::asio::awaitable<void> claim_loop();
  boost::asio::awaitable<void> listen_loop();
  boost::asio::awaitable<void> heartbeat_loop();
  boost::asio::awaitable<void> janitor_loop();
  boost::asio::awaitable<void> completion_loop();
  boost::asio::awaitable<void> drain_on_strand(std::chrono::steady_clock::time_point deadline);

  boost::asio::awaitable<std::vector<ClaimedJob>> claim(int want);
  void start(ClaimedJob job);
  boost::asio::awaitable<void> execute(std::string id);
  boost::asio::awaitable<void> release(const ClaimedJob& job, std::chrono::milliseconds delay);
  // Records a failed attempt (retry later, or dead/failed with the kind's clean-up); returns
  // the outcome for metrics.
  boost::asio::awaitable<std::string> fail(const ClaimedJob& job,
                                           const tenancy::ActiveTenant& tenant, JobHandler* handler,
                                           std::exception_ptr error, bool permanent);
  boost::asio::awaitable<void> sample_gauges();
  boost::asio::awaitable<void> clean_up_dead(const std::string& tenant_id,
                                             const ClaimedJob& job);
  std::chrono::milliseconds backoff(int attempts) const;

  void wake();
  boost::asio::awaitable<void> wait_for_wake(std::chrono::milliseconds timeout);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  db::Pool& pool_;
  tenancy::TenantRegistry& registry_;
  const HandlerRegistry& handlers_;
  observability::Metrics& metrics_;
  WorkerOptions options_;
  std::string owner_;

  // Strand-only state.
  std::map<std::string, RunningJob> running_;
  std::vector<Completion> completions_;
  boost::asio::steady_timer wake_timer_;
  boost::asio::steady_timer completion_timer_;
  boost::asio::steady_timer idle_timer_;  // drain waits on it for running_ to empty
  bool wake_pending_ = false;
  bool stopping_ = false;
};

}  // namespace autoblog::jobs
