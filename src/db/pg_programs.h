#pragma once
// Finding and running PostgreSQL's programs for the embedded default database
// (db/embedded_postgres.h): where initdb and pg_ctl live, runuser when running as root, and a
// child process started with posix_spawn whose output tail is kept. Internal to the db area.
// Functions share no state; thread-safe. Errors throw std::runtime_error("embedded PostgreSQL:
// ...") through fail().
#include <filesystem>
#include <string>
#include <vector>

namespace autoblog::db::pg_programs {

[[noreturn]] void fail(const std::string& message);
std::string errno_text(int err);

// The directory holding initdb, pg_ctl and postgres: AUTOBLOG_PG_BIN, else the newest
// /usr/lib/postgresql/*/bin. Fails with what to install or set.
std::filesystem::path find_bin_dir();
// runuser's path; fails when util-linux is missing.
std::string find_runuser();

struct RunResult {
  int status = 0;
  std::string output;  // stdout and stderr interleaved; the tail only
};
bool succeeded(const RunResult& r);
std::string describe_status(int status);

// Runs argv[0] (an absolute path) with the argument vector as given (no shell), in `cwd`, stdin
// from /dev/null, no PG* environment variables, and waits for it. The caller's signal mask and
// ignored signals are reset so that a server started from a process that blocks SIGTERM (for
// sigwait) still obeys pg_ctl.
RunResult run_program(const std::vector<std::string>& argv, const std::filesystem::path& cwd);

// The argument vector for a PostgreSQL program, prefixed with runuser when running as root.
std::vector<std::string> pg_command(bool as_postgres, const std::filesystem::path& bin_dir,
                                    const char* program, std::vector<std::string> args);

}  // namespace autoblog::db::pg_programs
