#pragma once
// The runtime: one object that owns every shared component of a process — the database (the
// embedded cluster or AUTOBLOG_DATABASE_URL), the io_context, metrics, the connection pool (with
// the core schema migrated), the tenant registry, the pluggable backends (rate limiter, cache,
// storage; built on first use) and the task group that runs background coroutines.
// `serve`, the CLI commands and (later) `worker` are thin assemblies on top of it.
//
// Start order = member order below; stop order is the reverse, in three steps (see
// run_until_stopped): the assembly's own stop (the HTTP server: stop accepting, drain in-flight
// requests until the shutdown deadline, cancel the rest with 503), then cancellation of the task
// group and a wait for it, then the io_context runs out of work (detached rollbacks finish,
// sockets close) — only then are components destroyed, so no coroutine frame outlives the
// objects it uses. Components built by an assembly (server, router, authenticator) are declared
// after the Runtime in the assembly's scope, so they are destroyed before it.
//
// Event loops: one io_context per I/O thread, each run by exactly that thread (so each is an
// implicit strand), rather than one io_context shared by every thread: with a shared one, every
// completion could run on any thread, and the lock hand-offs and cross-thread wake-ups cost about
// a third of a content read's server CPU (measured: 78 µs per read with 2 threads on one
// io_context, 48 µs with one). Loop 0 is io(): it runs on the thread that calls
// run_until_stopped (or run()) and carries everything but HTTP connections — background tasks,
// signals, job workers, Redis connections, storage. The HTTP server spreads its connections over
// every loop, and the database pool keeps a partition of connections on each (db/pool.h).
//
// Thread-safety: construct, run and destroy from one thread; accessors return components that
// are themselves thread-safe (see their headers).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "db/pool.h"
#include "observability/metrics.h"
#include "util/task_group.h"

namespace autoblog::db {
class EmbeddedPostgres;
}
namespace autoblog::tenancy {
class TenantRegistry;
}

namespace autoblog::app {

class Backends;

// Owns the embedded cluster when one is used (stopped on destruction if this process started
// it). Not thread-safe; lives as long as the command.
class DatabaseHandle {
 public:
  explicit DatabaseHandle(const Config& config);
  ~DatabaseHandle();
  const std::string& conninfo() const { return conninfo_; }
  bool embedded() const { return embedded_ != nullptr; }

 private:
  std::unique_ptr<db::EmbeddedPostgres> embedded_;
  std::string conninfo_;
};

// Runs `task` on `ioc` (one thread: the caller's) until it and everything it left behind
// (detached rollbacks, closing sockets) finish; rethrows its exception.
template <class T>
T run_to_completion(boost::asio::io_context& ioc, boost::asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) error = e;
    else result.emplace(std::move(value));
  });
  ioc.restart();
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

struct RuntimeOptions {
  int io_threads = 1;  // event loops, one thread each (the CLI runs on the caller's thread only)
  int db_pool_size = 8;
  std::chrono::milliseconds db_acquire_timeout{2000};
  std::chrono::seconds tenant_cache_ttl{30};  // 0 = no cache (CLI)
};

class Runtime {
 public:
  // Starts the database, migrates the core schema. Throws on failure (nothing left running).
  Runtime(const Config& config, RuntimeOptions options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const { return config_; }
  boost::asio::io_context& io() { return io_; }  // loop 0
  // Every event loop, io() first; HTTP servers spread their connections over them.
  std::vector<boost::asio::io_context*> loops();
  observability::Metrics& metrics() { return metrics_; }
  db::Pool& pool() { return pool_; }
  tenancy::TenantRegistry& registry() { return *registry_; }
  Backends& backends();  // rate limiter, cache, storage: built on first use
  util::TaskGroup& tasks() { return tasks_; }
  const std::string& conninfo() const { return database_.conninfo(); }
  bool embedded_database() const { return database_.embedded(); }
  int core_migrations_applied() const { return core_applied_; }

  // Runs one coroutine to completion on the caller's thread (CLI commands).
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return run_to_completion(io_, std::move(task));
  }

  // Runs every event loop, each on its own thread (loop 0 on the caller's), until SIGINT/SIGTERM
  // or request_stop(), then shuts down: `stop_assembly` (e.g. drain the HTTP server), cancel and
  // join the task group, and let the loops run out of work (bounded by a grace period; past it
  // they are stopped and that is logged).
  void run_until_stopped(std::function<boost::asio::awaitable<void>()> stop_assembly);
  // Thread-safe; the same as a SIGTERM.
  void request_stop();

 private:
  boost::asio::awaitable<void> shutdown(std::function<boost::asio::awaitable<void>()> stop);

  Config config_;
  RuntimeOptions options_;
  DatabaseHandle database_;  // first up, last down: the embedded cluster outlives every user
  boost::asio::io_context io_;
  std::vector<std::unique_ptr<boost::asio::io_context>> more_loops_;  // loops 1..io_threads-1
  observability::Metrics metrics_;
  db::Pool pool_;
  int core_applied_ = 0;
  std::unique_ptr<tenancy::TenantRegistry> registry_;
  std::unique_ptr<Backends> backends_;
  util::TaskGroup tasks_;
  std::function<void()> stop_hook_;  // set while run_until_stopped runs
  std::atomic<bool> shutdown_done_{false};
  bool forced_stop_ = false;
};

}  // namespace autoblog::app
