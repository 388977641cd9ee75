#pragma once
// The non-serve subcommands. Each opens the database (embedded or AUTOBLOG_DATABASE_URL),
// runs on a private single-threaded io_context, prints results on stdout and errors on stderr
// (one line each), and returns the exit code of cli.h: 0 done, 1 the operation failed (not
// found, conflict, unavailable), 2 invalid input or usage. ConfigError propagates (exit 2).
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"

namespace CLI {
class App;
}

namespace autoblog::app {

struct MigrateOptions {
  int jobs = 4;
  std::optional<std::string> tenant_migrations_dir;  // replaces the embedded tenant migrations
};
int run_migrate(const Config& config, const MigrateOptions& options);

struct TenantCommand {
  // create list show update suspend activate delete token tokens revoke; set while parsing.
  std::string action;
  std::string id;
  std::string jti;                    // revoke
  std::optional<std::string> name;    // create (required), update
  std::optional<std::string> domain;  // create, update
  bool clear_domain = false;          // update
  std::optional<std::string> tier;    // create (default starter), update
  std::vector<std::string> limits;    // update: KEY=VALUE, KEY= or KEY=null clears
  long long ttl_seconds = 3600;
  bool json = false;  // list
  bool all = false;   // list: deleted tenants too
  bool yes = false;   // delete: no confirmation prompt
};
// Declares `tenant create|list|...` with their options on `tenant`, filling `command`.
void add_tenant_subcommands(CLI::App& tenant, TenantCommand& command);
int run_tenant_command(const Config& config, const TenantCommand& command);

}  // namespace autoblog::app
