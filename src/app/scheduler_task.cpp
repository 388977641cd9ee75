#include "app/scheduler_task.h"

#include "app/runtime.h"
#include "observability/log.h"
#include "tenancy/registry.h"

namespace autoblog::app {

std::unique_ptr<jobs::DiscoveryScheduler> start_discovery_scheduler(Runtime& rt) {
  const auto& c = rt.config();
  if (c.scheduler_interval.count() == 0) {
    observability::log_info("discovery scheduler disabled (AUTOBLOG_SCHEDULER_INTERVAL_MS=0)");
    return nullptr;
  }
  jobs::SchedulerOptions o;
  o.interval = c.scheduler_interval;
  o.hour = c.scheduler_hour;
  auto scheduler =
      std::make_unique<jobs::DiscoveryScheduler>(rt.pool(), rt.registry(), rt.metrics(), o);
  rt.tasks().spawn("discovery-scheduler", rt.io().get_executor(), scheduler->run());
  return scheduler;
}

}  // namespace autoblog::app
