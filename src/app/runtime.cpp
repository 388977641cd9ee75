#include "app/runtime.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <optional>
#include <thread>
#include <vector>

#include "app/backends.h"
#include "db/embedded_postgres.h"
#include "db/migrations/migrator.h"
#include "observability/log.h"
#include "tenancy/registry.h"
#include "util/event_loop.h"

namespace autoblog::app {

namespace asio = boost::asio;

DatabaseHandle::DatabaseHandle(const Config& config) {
  if (config.database_url) {
    conninfo_ = *config.database_url;
    return;
  }
  embedded_ = db::EmbeddedPostgres::start(config.data_dir);
  conninfo_ = embedded_->conninfo();
}

DatabaseHandle::~DatabaseHandle() = default;

namespace {

db::PoolOptions pool_options(const Config& config, const RuntimeOptions& options,
                             const std::string& conninfo, observability::Metrics& metrics) {
  db::PoolOptions o;
  o.conninfo = conninfo;
  o.size = options.db_pool_size;
  o.acquire_timeout = options.db_acquire_timeout;
  o.max_waiters = config.db_max_waiters;
  o.use_prepared = config.db_prepared_statements;
  o.statement_cache_size = static_cast<std::size_t>(config.db_statement_cache_size);
  o.shared_reads = config.db_shared_reads;
  o.shared_reads_cache_size = static_cast<std::size_t>(config.db_shared_reads_cache_size);
  o.on_acquire_timeout = [&metrics] { metrics.count_db_pool_timeout(); };
  o.statement_timeout = config.db_statement_timeout;
  o.migration_statement_timeout = config.db_migration_statement_timeout;
  return o;
}

// concurrency_hint 1: each loop is run by one thread (posts from other threads stay safe).
std::vector<std::unique_ptr<asio::io_context>> make_more_loops(int io_threads) {
  std::vector<std::unique_ptr<asio::io_context>> out;
  for (int i = 1; i < io_threads; ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}

std::vector<asio::any_io_executor> executors_of(const std::vector<asio::io_context*>& loops) {
  std::vector<asio::any_io_executor> out;
  for (auto* loop : loops) out.push_back(loop->get_executor());
  return out;
}

void report_task_problem(const std::string& task, const std::string& problem) {
  observability::log_error("background task problem", {{"task", task}, {"problem", problem}});
}

}  // namespace

Runtime::Runtime(const Config& config, RuntimeOptions options)
    : config_(config),
      options_(options),
      database_(config_),
      io_(1),
      more_loops_(make_more_loops(options_.io_threads)),
      metrics_(config_.metrics_tenant_labels),
      pool_(executors_of(loops()),
            pool_options(config_, options_, database_.conninfo(), metrics_)),
      tasks_(report_task_problem) {
  core_applied_ =
      run(db::migrate_core(pool_, db::load_migrations(db::embedded_core_migrations())));
  if (core_applied_ > 0) observability::log_info("core migrations applied", {{"count", core_applied_}});
  registry_ = std::make_unique<tenancy::TenantRegistry>(
      pool_, db::load_migrations(db::embedded_tenant_migrations()), options_.tenant_cache_ttl);
}

Runtime::~Runtime() {
  // Whatever is still queued (a CLI command that threw midway) runs out before the components
  // it uses are destroyed — unless the event loop had to be stopped with work pending.
  if (forced_stop_) return;
  tasks_.cancel();
  io_.restart();
  io_.run();
  for (auto& loop : more_loops_) {
    loop->restart();
    loop->run();
  }
}

std::vector<asio::io_context*> Runtime::loops() {
  std::vector<asio::io_context*> out{&io_};
  for (auto& l : more_loops_) out.push_back(l.get());
  return out;
}

Backends& Runtime::backends() {
  if (!backends_)
    backends_ = std::make_unique<Backends>(config_, io_.get_executor(), executors_of(loops()),
                                           &metrics_);
  return *backends_;
}

void Runtime::request_stop() {
  asio::post(io_, [this] {
    if (stop_hook_) stop_hook_();
  });
}

asio::awaitable<void> Runtime::shutdown(std::function<asio::awaitable<void>()> stop) {
  if (stop) co_await stop();
  tasks_.cancel();
  co_await tasks_.join(std::chrono::milliseconds(5000));
  shutdown_done_ = true;
}

void Runtime::run_until_stopped(std::function<asio::awaitable<void>()> stop_assembly) {
  asio::signal_set signals(io_, SIGINT, SIGTERM);
  bool stopping = false;
  stop_hook_ = [&] {
    if (stopping) return;  // on the io_context; a second signal changes nothing
    stopping = true;
    boost::system::error_code ignored;
    signals.cancel(ignored);
    asio::co_spawn(io_, shutdown(stop_assembly), asio::detached);
  };
  signals.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    observability::log_info("shutting down", {{"signal", signo}});
    stop_hook_();
  });

  io_.restart();
  // The other loops hold a work guard until the shutdown is done: an idle loop would otherwise
  // return from run() at once.
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::optional<Guard>> guards;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < more_loops_.size(); ++i) {
    auto& loop = *more_loops_[i];
    loop.restart();
    guards.emplace_back(std::in_place, loop.get_executor());
    threads.emplace_back([&loop, index = i + 1] {
      util::set_current_loop(index);
      loop.run();
    });
  }
  // Loop 0 returns from run() once it is out of work: the HTTP server closed, tasks ended,
  // rollbacks done. A component that keeps work pending past the grace period after the task
  // group stopped would hang the process: stop it then, and say so.
  const auto grace = std::chrono::milliseconds(5000);
  std::optional<std::chrono::steady_clock::time_point> done_at;
  auto past_grace = [&] { return done_at && std::chrono::steady_clock::now() - *done_at > grace; };
  auto force_stop = [&] {
    observability::log_error("work still pending after shutdown; stopping the event loops");
    forced_stop_ = true;
    io_.stop();
    for (auto& loop : more_loops_) loop->stop();
  };
  while (!io_.stopped()) {
    io_.run_for(std::chrono::milliseconds(100));
    if (shutdown_done_ && !done_at) {
      done_at = std::chrono::steady_clock::now();
      guards.clear();  // the other loops may now run out of work too
    }
    if (past_grace()) force_stop();
  }
  guards.clear();
  if (!done_at) done_at = std::chrono::steady_clock::now();
  for (;;) {
    bool all_stopped = true;
    for (auto& loop : more_loops_) all_stopped = all_stopped && loop->stopped();
    if (all_stopped) break;
    if (past_grace()) {
      force_stop();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& t : threads) t.join();
  stop_hook_ = nullptr;
}

}  // namespace autoblog::app
