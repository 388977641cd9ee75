#include "jobs/worker.h"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/multiple_exceptions.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>
#include <random>
#include <set>

#include "db/connection.h"
#include "db/transaction.h"
#include "jobs/errors.h"
#include "jobs/job_queries.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "tenancy/errors.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using db::param;
using observability::log_info;
using observability::log_warn;

namespace {

bool is_cancellation(const std::exception& e) {
  auto* se = dynamic_cast<const boost::system::system_error*>(&e);
  return se && se->code() == asio::error::operation_aborted;
}

bool is_cancellation(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return is_cancellation(x);
  } catch (...) {
  }
  return false;
}

std::string what(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
  }
  return "unknown error";
}

std::string default_owner() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

asio::awaitable<void> throw_if_cancelled() {
  auto cs = co_await asio::this_coro::cancellation_state;
  if (cs.cancelled() != asio::cancellation_type::none)
    throw boost::system::system_error(asio::error::operation_aborted);
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

template <class RunningMap>
std::string leases_json(const RunningMap& running) {
  boost::json::array a;
  for (const auto& [id, rj] : running)
    if (!rj.lost) a.push_back({{"id", id}, {"claim", rj.job.claim}});
  return boost::json::serialize(a);
}

}  // namespace

Worker::Worker(asio::any_io_executor executor, db::Pool& pool, tenancy::TenantRegistry& registry,
               const HandlerRegistry& handlers, observability::Metrics& metrics,
               WorkerOptions options)
    : strand_(asio::make_strand(executor)),
      pool_(pool),
      registry_(registry),
      handlers_(handlers),
      metrics_(metrics),
      options_(std::move(options)),
      owner_(options_.name.empty() ? default_owner() : options_.name),
      wake_timer_(strand_),
      completion_timer_(strand_),
      idle_timer_(strand_) {}

Worker::~Worker() = default;

asio::awaitable<void> Worker::run() {
  using namespace asio::experimental::awaitable_operators;
  log_info("job worker started", {{"owner", owner_},
                                  {"concurrency", options_.concurrency},
                                  {"lease_ms", static_cast<std::int64_t>(options_.lease.count())}});
  try {
    co_await (claim_loop() && listen_loop() && heartbeat_loop() && janitor_loop() &&
              completion_loop());
  } catch (const asio::multiple_exceptions& e) {
    // Cancelled: every loop ended with operation_aborted; report it as one cancellation. The
    // chained && nests its groups, so the first exception may itself be a multiple_exceptions.
    std::exception_ptr first = e.first_exception();
    for (;;) {
      try {
        std::rethrow_exception(first);
      } catch (const asio::multiple_exceptions& nested) {
        first = nested.first_exception();
      }
    }
  }
}

// ---- waking the claim loop ----

void Worker::wake() {
  wake_pending_ = true;
  wake_timer_.cancel();
}

asio::awaitable<void> Worker::wait_for_wake(std::chrono::milliseconds timeout) {
  if (!wake_pending_) {
    wake_timer_.expires_after(timeout);
    co_await wake_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  wake_pending_ = false;
  co_await throw_if_cancelled();
}

// ---- claiming ----

asio::awaitable<std::vector<ClaimedJob>> Worker::claim(int want) {
  auto t0 = Clock::now();
  auto tx = co_await db::CoreTx::begin(pool_);
  db::Params params{param(owner_),
                    param(want),
                    param(static_cast<std::int64_t>(options_.lease.count())),
                    param(options_.tier_caps[0]),
                    param(options_.tier_caps[1]),
                    param(options_.tier_caps[2])};
  auto r = co_await tx.commit_with(sql::kClaim, std::move(params));
  metrics_.observe_job_claim(std::chrono::duration<double>(Clock::now() - t0).count());
  std::vector<ClaimedJob> jobs;
  jobs.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    ClaimedJob j;
    j.id = r.get(i, 0);
    j.tenant_id = r.get(i, 1);
    j.kind = r.get(i, 2);
    j.priority = static_cast<Priority>(r.get_int(i, 3));
    j.capped = r.get_bool(i, 4);
    j.payload_json = r.get(i, 5);
    j.attempts = static_cast<int>(r.get_int(i, 6));
    j.max_attempts = static_cast<int>(r.get_int(i, 7));
    j.claim = static_cast<int>(r.get_int(i, 8));
    j.waited_seconds = std::stod(std::string(r.get(i, 9)));
    metrics_.observe_job_start_latency(j.waited_seconds);
    jobs.push_back(std::move(j));
  }
  co_return jobs;
}

asio::awaitable<void> Worker::claim_loop() {
  while (!stopping_) {
    int free = options_.concurrency - static_cast<int>(running_.size());
    if (free <= 0) {
      co_await wait_for_wake(options_.poll);
      continue;
    }
    int want = std::min(free, options_.max_claim_batch);
    std::vector<ClaimedJob> jobs;
    try {
      jobs = co_await claim(want);
    } catch (const std::exception& e) {
      if (is_cancellation(e)) throw;
      log_warn("job claim failed; retrying", {{"error", e.what()}});
    }
    bool full_batch = static_cast<int>(jobs.size()) == want;
    // Jobs claimed while drain() began go straight back (start() marks them released).
    for (auto& j : jobs) start(std::move(j));
    if (!full_batch && !stopping_) co_await wait_for_wake(options_.poll);
  }
}

// ---- running one job ----

void Worker::start(ClaimedJob job) {
  std::string id = job.id;
  auto [it, inserted] = running_.try_emplace(id);
  if (!inserted) return;  // cannot happen: a claim never returns a job this worker runs
  it->second.job = std::move(job);
  it->second.released = stopping_;
  auto signal = it->second.signal;
  asio::co_spawn(strand_, execute(id),
                 asio::bind_cancellation_slot(signal->slot(), [signal](std::exception_ptr) {}));
}

std::chrono::milliseconds Worker::backoff(int attempts) const {
  // Exponential with "equal jitter": half fixed, half random, so retries of jobs that failed
  // together spread out but never come back sooner than half the nominal delay.
  auto nominal = options_.retry_base.count() << std::min(std::max(attempts - 1, 0), 20);
  nominal = std::min<std::int64_t>(nominal, options_.retry_cap.count());
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> jitter(0, nominal / 2);
  return std::chrono::milliseconds(nominal - nominal / 2 + jitter(rng));
}

asio::awaitable<void> Worker::execute(std::string id) {
  RunningJob& rj = running_.at(id);  // std::map: the node stays put until erased below
  const ClaimedJob job = rj.job;
  const auto t0 = Clock::now();
  std::string outcome = "succeeded";
  std::exception_ptr error;
  std::shared_ptr<const tenancy::ActiveTenant> tenant;
  JobHandler* handler = handlers_.find(job.kind);
  if (rj.released) {
    error = std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
  } else {
    try {
      tenant = co_await registry_.resolve_active(job.tenant_id);
      if (!handler) throw PermanentFailure("no handler for job kind '" + job.kind + "'");
      JobContext ctx(job, *tenant, pool_, owner_);
      std::string result = co_await handler->run(ctx);
      if (!ctx.completed()) {
        completions_.push_back({job.id, job.claim, std::move(result)});
        completion_timer_.cancel();
      }
    } catch (...) {
      error = std::current_exception();
    }
  }

  if (error) {
    // Whatever cancelled the handler must not cancel the bookkeeping below.
    co_await asio::this_coro::reset_cancellation_state();
    enum class Next { kSnooze, kSuspended, kLost, kRelease, kRetry, kPermanent } next = Next::kRetry;
    std::chrono::milliseconds snooze{0};
    try {
      std::rethrow_exception(error);
    } catch (const Snooze& s) {
      next = Next::kSnooze;
      snooze = s.delay;
    } catch (const tenancy::TenantInactive&) {
      next = Next::kSuspended;
    } catch (const LeaseLost&) {
      next = Next::kLost;
    } catch (const PermanentFailure&) {
      next = Next::kPermanent;
    } catch (...) {
    }
    if (next != Next::kLost && rj.lost) next = Next::kLost;
    // Shutdown, or the tenant could not be looked up (database trouble): back to the queue
    // without spending an attempt.
    if ((next == Next::kRetry || next == Next::kPermanent) &&
        (rj.released || is_cancellation(error) || !tenant))
      next = Next::kRelease;

    switch (next) {
      case Next::kSnooze:
        outcome = "snoozed";
        co_await release(job, snooze);
        break;
      case Next::kSuspended:
        outcome = "snoozed";
        co_await release(job, options_.suspended_tenant_delay);
        break;
      case Next::kLost:
        outcome = "lease_lost";
        log_warn("job lease lost: its result was not recorded here",
                 {{"job_id", job.id}, {"kind", job.kind}});
        break;
      case Next::kRelease:
        outcome = "released";
        co_await release(job, tenant ? 0ms : backoff(1));
        break;
      case Next::kRetry:
      case Next::kPermanent: outcome = co_await fail(job, *tenant, handler, error, next == Next::kPermanent); break;
    }
  }

  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  metrics_.observe_job(job.kind, outcome, seconds);
  if (job.kind == kGenerateContent && outcome == "succeeded" && tenant)
    metrics_.observe_generation(job.tenant_id, tenancy::to_string((*tenant)->tier), seconds);
  running_.erase(id);
  wake();
  if (running_.empty()) idle_timer_.cancel();
}

asio::awaitable<std::string> Worker::fail(const ClaimedJob& job,
                                          const tenancy::ActiveTenant& tenant,
                                          JobHandler* handler, std::exception_ptr error,
                                          bool permanent) {
  std::string outcome;
  std::string message = what(error);
  try {
    auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
    auto delay = permanent ? 0ms : backoff(job.attempts);
    db::Params params{param(job.id),
                      param(job.claim),
                      param(owner_),
                      param(message),
                      param(static_cast<std::int64_t>(delay.count())),
                      param(permanent)};
    auto r = co_await tx.exec(sql::kFail, std::move(params));
    if (r.empty()) {
      outcome = "lease_lost";
    } else {
      std::string state(r.get(0, 0));
      outcome = state == "queued" ? "retried" : state;
      if (state != "queued" && handler) co_await handler->given_up(tx, job, message);
      co_await tx.commit();
    }
  } catch (const std::exception& e) {
    // The lease runs out and the janitor puts the job back: nothing is lost.
    log_warn("could not record a job failure", {{"job_id", job.id}, {"error", e.what()}});
    co_return "unrecorded";
  }
  log_warn("job attempt failed", {{"job_id", job.id},
                                  {"tenant_id", job.tenant_id},
                                  {"kind", job.kind},
                                  {"attempt", job.attempts},
                                  {"outcome", outcome},
                                  {"error", message}});
  co_return outcome;
}

asio::awaitable<void> Worker::release(const ClaimedJob& job, std::chrono::milliseconds delay) {
  try {
    auto tx = co_await db::CoreTx::begin(pool_);
    db::Params params{param(job.id), param(job.claim), param(owner_),
                      param(static_cast<std::int64_t>(delay.count()))};
    co_await tx.commit_with(sql::kRelease, std::move(params));
  } catch (const std::exception& e) {
    log_warn("could not release a job; its lease will expire",
             {{"job_id", job.id}, {"error", e.what()}});
  }
}

// ---- completions, heartbeats, janitor, listener ----

asio::awaitable<void> Worker::completion_loop() {
  for (;;) {
    if (completions_.empty()) {
      completion_timer_.expires_at(Clock::time_point::max());
      co_await completion_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_await throw_if_cancelled();
      continue;
    }
    // Let the completions of this moment share one statement.
    if (completions_.size() < 64 && !stopping_) {
      completion_timer_.expires_after(options_.completion_batch_window);
      co_await completion_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_await throw_if_cancelled();
    }
    std::vector<Completion> batch;
    batch.swap(completions_);
    boost::json::array a;
    for (auto& c : batch)
    {
      boost::json::object o;
      o["id"] = c.id;
      o["claim"] = c.claim;
      o["result"] = boost::json::parse(c.result_json);
      a.push_back(std::move(o));
    }
    try {
      auto tx = co_await db::CoreTx::begin(pool_);
      db::Params params{param(owner_), param(boost::json::serialize(a))};
      auto r = co_await tx.commit_with(sql::kCompleteBatch, std::move(params));
      if (r.rows() != static_cast<int>(batch.size()))
        log_warn("job completions refused: lease lost",
                 {{"refused", static_cast<std::int64_t>(batch.size()) - r.rows()}});
    } catch (const std::exception& e) {
      if (is_cancellation(e)) throw;
      log_warn("could not record job completions; their leases will expire",
               {{"error", e.what()}, {"jobs", static_cast<std::int64_t>(batch.size())}});
    }
    if (completions_.empty() && running_.empty()) idle_timer_.cancel();
  }
}

asio::awaitable<void> Worker::heartbeat_loop() {
  for (;;) {
    co_await sleep_for(options_.heartbeat);
    if (running_.empty()) continue;
    try {
      auto tx = co_await db::CoreTx::begin(pool_);
      db::Params params{param(owner_), param(static_cast<std::int64_t>(options_.lease.count())),
                        param(leases_json(running_))};
      auto r = co_await tx.commit_with(sql::kHeartbeat, std::move(params));
      std::set<std::string, std::less<>> held;
      for (int i = 0; i < r.rows(); ++i) held.emplace(r.get(i, 0));
      for (auto& [id, rj] : running_) {
        if (rj.lost || held.count(id)) continue;
        rj.lost = true;
        log_warn("job lease lost; cancelling it here", {{"job_id", id}, {"kind", rj.job.kind}});
        rj.signal->emit(asio::cancellation_type::terminal);
      }
    } catch (const std::exception& e) {
      if (is_cancellation(e)) throw;
      log_warn("job heartbeat failed", {{"error", e.what()}});
    }
  }
}

asio::awaitable<void> Worker::clean_up_dead(const std::string& tenant_id, const ClaimedJob& job) {
  JobHandler* handler = handlers_.find(job.kind);
  if (!handler) co_return;
  auto tenant = co_await registry_.resolve_active(tenant_id);
  auto tx = co_await tenancy::TenantTx::begin(pool_, *tenant);
  co_await handler->given_up(tx, job, std::string(sql::kLeaseExpiredError));
  co_await tx.commit();
}

asio::awaitable<void> Worker::sample_gauges() {
  auto tx = co_await db::CoreTx::begin(pool_);
  auto depth = co_await tx.exec(sql::kDepth);
  auto running = co_await tx.commit_with(sql::kRunningPerTenant);
  for (auto p : {"high", "normal", "low"})
    for (auto s : {"queued", "running"}) metrics_.set_job_queue_depth(p, s, 0);
  for (int i = 0; i < depth.rows(); ++i)
    metrics_.set_job_queue_depth(depth.get(i, 0), depth.get(i, 1),
                                 static_cast<double>(depth.get_int(i, 2)));
  std::map<std::string, double> by_tier{{"starter", 0}, {"growth", 0}, {"enterprise", 0}};
  for (int i = 0; i < running.rows(); ++i)
    by_tier[std::string(running.get(i, 1))] += static_cast<double>(running.get_int(i, 2));
  for (auto& [tier, n] : by_tier) metrics_.set_jobs_running(tier, n);
}

asio::awaitable<void> Worker::janitor_loop() {
  auto last_prune = Clock::time_point{};
  auto last_sample = Clock::time_point{};
  for (;;) {
    try {
      auto tx = co_await db::CoreTx::begin(pool_);
      db::Params batch{param(500)};
      auto r = co_await tx.commit_with(sql::kRequeueExpired, std::move(batch));
      if (r.rows() > 0) {
        metrics_.count_job_lease_expiries(r.rows());
        log_warn("jobs taken back after their lease expired",
                 {{"jobs", static_cast<std::int64_t>(r.rows())}});
      }
      for (int i = 0; i < r.rows(); ++i) {
        if (r.get(i, 4) == "queued") continue;
        ClaimedJob dead;
        dead.id = r.get(i, 0);
        dead.tenant_id = r.get(i, 1);
        dead.kind = r.get(i, 2);
        dead.payload_json = r.get(i, 3);
        try {
          co_await clean_up_dead(dead.tenant_id, dead);
        } catch (const std::exception& e) {
          log_warn("clean-up of a dead job failed", {{"job_id", dead.id}, {"error", e.what()}});
        }
      }
      auto now = Clock::now();
      if (now - last_prune > 60s) {
        last_prune = now;
        auto prune = co_await db::CoreTx::begin(pool_);
        db::Params params{param(static_cast<std::int64_t>(options_.retention.count())),
                          param(5000)};
        co_await prune.commit_with(sql::kPrune, std::move(params));
      }
      if (now - last_sample > 5s) {
        last_sample = now;
        co_await sample_gauges();
        auto stats = co_await db::CoreTx::begin(pool_);
        auto locked = co_await stats.exec(sql::kRefreshStatsLock);
        if (locked.get_bool(0, 0)) co_await stats.exec_script(sql::kRefreshStatsScript);
        co_await stats.commit();
      }
    } catch (const std::exception& e) {
      if (is_cancellation(e)) throw;
      log_warn("job janitor failed", {{"error", e.what()}});
    }
    co_await sleep_for(options_.janitor_interval);
  }
}

asio::awaitable<void> Worker::listen_loop() {
  bool warned = false;
  for (;;) {
    std::string error;
    try {
      auto conn = co_await db::Connection::connect(strand_, options_.conninfo, 5s);
      co_await conn->exec(db::Statement{"LISTEN autoblog_jobs", {}});
      wake();  // anything enqueued while we were not listening
      if (warned) log_info("job listener reconnected");
      warned = false;
      for (;;) {
        co_await conn->next_notification();
        wake();
      }
    } catch (const std::exception& e) {
      if (is_cancellation(e)) throw;
      error = e.what();
    }
    if (!warned) log_warn("job listener lost its connection; polling until it is back",
                          {{"error", error}});
    warned = true;
    co_await sleep_for(1s);
  }
}

// ---- shutdown ----

asio::awaitable<void> Worker::drain(Clock::time_point deadline) {
  co_await asio::co_spawn(strand_, drain_on_strand(deadline), asio::use_awaitable);
}

asio::awaitable<void> Worker::drain_on_strand(Clock::time_point deadline) {
  stopping_ = true;
  wake();
  auto wait_idle = [this](Clock::time_point until) -> asio::awaitable<void> {
    while ((!running_.empty() || !completions_.empty()) && Clock::now() < until) {
      idle_timer_.expires_at(until);
      co_await idle_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  };
  co_await wait_idle(deadline);
  if (!running_.empty()) {
    log_info("releasing jobs still running at shutdown",
             {{"jobs", static_cast<std::int64_t>(running_.size())}});
    for (auto& [id, rj] : running_) {
      rj.released = true;
      rj.signal->emit(asio::cancellation_type::terminal);
    }
    co_await wait_idle(Clock::now() + 10s);
  }
  log_info("job worker drained", {{"owner", owner_}});
}

}  // namespace autoblog::jobs
