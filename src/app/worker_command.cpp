#include "app/worker_command.h"

#include <algorithm>
#include <optional>

#include "app/job_workers.h"
#include "app/runtime.h"
#include "app/scheduler_task.h"
#include "observability/log.h"
#include "tenancy/change_listener.h"

namespace autoblog::app {

int run_worker(const Config& config, int concurrency) {
  RuntimeOptions options;
  // One event loop: the workers run on one strand, and a second loop would only hold a share of
  // the pool that the workers reach across threads.
  options.io_threads = 1;
  // Each running job holds at most one connection at a time; claims, heartbeats and the janitor
  // need a few more.
  options.db_pool_size = std::min(config.db_pool_size, concurrency + 4);
  options.db_acquire_timeout = config.db_acquire_timeout;
  options.tenant_cache_ttl = config.tenant_cache_ttl;
  Runtime rt(config, options);
  // Suspensions and deletions reach this process as they reach API nodes.
  rt.tasks().spawn("tenant-change-listener", rt.io().get_executor(),
                   tenancy::listen_for_tenant_changes(rt.conninfo(), rt.registry()));
  JobWorkers workers(rt, concurrency);
  workers.start();
  auto scheduler = start_discovery_scheduler(rt);
  observability::log_info("worker running",
                          {{"owner", workers.worker().owner()},
                           {"concurrency", concurrency},
                           {"database", rt.embedded_database() ? "embedded" : "external"}});
  rt.run_until_stopped([&]() -> boost::asio::awaitable<void> {
    co_await workers.drain(std::chrono::steady_clock::now() + config.shutdown_timeout);
  });
  observability::log_info("worker stopped");
  return 0;
}

}  // namespace autoblog::app
