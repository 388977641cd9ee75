#pragma once
#include "app/config.h"

namespace autoblog::app {

// `autoblog worker`: job workers only, no HTTP. Any number of these, on any machine that reaches
// the database, share the one queue. Runs until SIGINT/SIGTERM, then stops claiming, lets
// running jobs finish until AUTOBLOG_SHUTDOWN_TIMEOUT_MS and puts the rest back in the queue
// without spending an attempt. Returns the exit code.
int run_worker(const Config& config, int concurrency);

}  // namespace autoblog::app
