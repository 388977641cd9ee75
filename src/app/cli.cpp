#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/cli_commands.h"
#include "app/config.h"
#include "app/serve.h"
#include "observability/log.h"

namespace autoblog::app {

int run_cli(int argc, char** argv) {
  CLI::App cli{"AutoBlog: multi-tenant automated blog content platform"};
  cli.require_subcommand(1);
  cli.fallthrough();

  std::optional<std::string> data_dir, database_url, log_level;
  // Options every command shares; added to each (sub)command so each --help lists them.
  auto add_common = [&](CLI::App* app) {
    app->add_option("--data-dir", data_dir,
                    "Data directory: embedded PostgreSQL, secrets, storage [env AUTOBLOG_DATA_DIR, "
                    "default ./var]");
    app->add_option("--database-url", database_url,
                    "PostgreSQL URL; unset = embedded cluster [env AUTOBLOG_DATABASE_URL]");
    app->add_option("--log-level", log_level,
                    "trace|debug|info|warn|error [env AUTOBLOG_LOG_LEVEL]");
  };
  add_common(&cli);

  auto* serve_cmd = cli.add_subcommand("serve", "Run the HTTP API server (and job workers)");
  add_common(serve_cmd);
  std::optional<std::string> listen;
  std::optional<int> workers, io_threads, pool_size;
  serve_cmd->add_option("--listen", listen,
                        "HOST:PORT to listen on [env AUTOBLOG_LISTEN, default 127.0.0.1:8080]");
  serve_cmd->add_option("--workers", workers,
                        "In-process job workers, 0 = none [env AUTOBLOG_WORKERS, default 2]");
  serve_cmd->add_option("--io-threads", io_threads,
                        "HTTP I/O threads [env AUTOBLOG_IO_THREADS, default: one per core]");
  serve_cmd->add_option("--db-pool-size", pool_size,
                        "PostgreSQL connections shared by all tenants [env "
                        "AUTOBLOG_DB_POOL_SIZE, default 16]");

  auto* migrate_cmd = cli.add_subcommand(
      "migrate", "Apply core migrations and upgrade every tenant schema (parallel, resumable)");
  add_common(migrate_cmd);
  MigrateOptions migrate;
  migrate_cmd->add_option("--jobs", migrate.jobs, "Tenants migrated concurrently (default 4)")
      ->check(CLI::Range(1, 64));
  migrate_cmd->add_option("--tenant-migrations-dir", migrate.tenant_migrations_dir,
                          "Use the NNNN_name.sql files of DIR instead of the built-in tenant "
                          "migrations (for testing a migration before release)");

  auto* tenant_cmd = cli.add_subcommand("tenant", "Operator commands on tenants");
  add_common(tenant_cmd);
  tenant_cmd->require_subcommand(1);
  TenantCommand tc;
  auto* create = tenant_cmd->add_subcommand("create", "Create a tenant (schema + migrations)");
  create->add_option("--name", tc.name, "Tenant name")->required();
  create->add_option("--domain", tc.domain, "Blog domain (unique)");
  create->add_option("--tier", tc.tier, "starter|growth|enterprise (default starter)");
  auto* list = tenant_cmd->add_subcommand("list", "List tenants");
  list->add_flag("--json", tc.json, "Print a JSON array instead of a table");
  for (auto [name, help] : {std::pair{"show", "Show a tenant as JSON"},
                            std::pair{"suspend", "Suspend a tenant (its requests get 403)"},
                            std::pair{"activate", "Re-activate a suspended tenant"},
                            std::pair{"delete", "Delete a tenant and drop its schema"},
                            std::pair{"token", "Issue a tenant JWT"},
                            std::pair{"tokens", "List a tenant's issued tokens (jti, times)"},
                            std::pair{"revoke", "Revoke one of a tenant's tokens by jti"}}) {
    auto* sub = tenant_cmd->add_subcommand(name, help);
    sub->add_option("id", tc.id, "Tenant id (UUID)")->required();
    if (std::string_view(name) == "token")
      sub->add_option("--ttl", tc.ttl_seconds, "Lifetime in seconds (1..2592000, default 3600)");
    if (std::string_view(name) == "revoke")
      sub->add_option("jti", tc.jti, "The token's jti claim (see `tenant tokens`)")->required();
  }

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "autoblog: " << e.what() << " (see --help)\n";
    return 2;
  }

  Config config;
  try {
    config = config_from_env(process_env());
    if (data_dir) config.data_dir = *data_dir;
    if (database_url) config.database_url = *database_url;
    if (log_level) config.log_level = *log_level;
    if (listen) config.listen = *listen;
    if (workers) config.workers = *workers;
    if (io_threads) config.io_threads = *io_threads;
    if (pool_size) config.db_pool_size = *pool_size;
    validate(config);
    observability::init_logging(config.log_level);
  } catch (const std::exception& e) {
    std::cerr << "autoblog: config error: " << e.what() << "\n";
    return 2;
  }

  try {
    if (serve_cmd->parsed()) return serve(config);
    if (migrate_cmd->parsed()) return run_migrate(config, migrate);
    for (auto* sub : tenant_cmd->get_subcommands())
      if (sub->parsed()) tc.action = sub->get_name();
    return run_tenant_command(config, tc);
  } catch (const std::exception& e) {
    std::cerr << "autoblog: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace autoblog::app
