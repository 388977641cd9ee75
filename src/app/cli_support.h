#pragma once
// What the CLI commands (cli_commands.cpp, cli_tenant.cpp) share: their runtime and the check
// that keeps a read-only command from creating a database. Not thread-safe: the CLI runs on one
// thread.
#include "app/config.h"
#include "app/runtime.h"

namespace autoblog::app {

// The CLI's runtime: the caller's thread only, a small pool that waits patiently (an operator
// command may queue behind a busy server), no tenant cache (every lookup is fresh).
Runtime cli_runtime(const Config& config, int connections);

// With the embedded database: throws ConfigError (one line naming the directory and how to
// choose another) when config.data_dir holds no cluster yet, instead of letting the command
// create an empty one. Nothing to check with AUTOBLOG_DATABASE_URL.
void require_existing_database(const Config& config);

}  // namespace autoblog::app
