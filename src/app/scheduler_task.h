#pragma once
// The scheduled trend discovery of a process (jobs/scheduler.h), built from the configuration
// and run in the runtime's task group: `serve` and `autoblog worker` both start one (any number
// of nodes may; each period still runs once). Returns nullptr when
// AUTOBLOG_SCHEDULER_INTERVAL_MS is 0. The scheduler must be kept alive by the assembly until
// run_until_stopped has joined the task group (declare it after the Runtime).
#include <memory>

#include "jobs/scheduler.h"

namespace autoblog::app {

class Runtime;

std::unique_ptr<jobs::DiscoveryScheduler> start_discovery_scheduler(Runtime& rt);

}  // namespace autoblog::app
