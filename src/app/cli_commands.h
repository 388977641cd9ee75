#pragma once
// The non-serve subcommands. Each opens the database (embedded or AUTOBLOG_DATABASE_URL),
// runs on a private single-threaded io_context, prints results on stdout and errors on stderr.
#include <optional>
#include <string>

#include "app/config.h"

namespace autoblog::app {

struct MigrateOptions {
  int jobs = 4;
  std::optional<std::string> tenant_migrations_dir;  // replaces the embedded tenant migrations
};
int run_migrate(const Config& config, const MigrateOptions& options);

struct TenantCommand {
  std::string action;  // create list show suspend activate delete token tokens revoke
  std::string id;
  std::string jti;  // revoke
  std::string name;
  std::optional<std::string> domain;
  std::string tier = "starter";
  long long ttl_seconds = 3600;
  bool json = false;
};
int run_tenant_command(const Config& config, const TenantCommand& command);

}  // namespace autoblog::app
