#pragma once
// The `autoblog` command line (CLI11): serve, migrate and the tenant operator commands.
// Returns the process exit code: 0 ok, 1 operation failed, 2 invalid configuration or usage.
namespace autoblog::app {

int run_cli(int argc, char** argv);

}  // namespace autoblog::app
