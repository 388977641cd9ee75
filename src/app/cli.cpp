#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/cli_commands.h"
#include "app/config.h"
#include "app/serve.h"
#include "app/worker_command.h"
#include "app/version.h"
#include "observability/log.h"

namespace autoblog::app {

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 done; 1 the operation failed (not found, conflict, a dependency or the port "
    "unavailable); 2 invalid usage, input or configuration.";

constexpr const char* kDataDirNote =
    "`serve`, `migrate` and `tenant create` create the data dir (and the embedded PostgreSQL "
    "cluster in it) when it does not exist yet; every other command refuses a data dir that "
    "holds no database, so a mistyped --data-dir never starts an empty one.";

// "autoblog tenant list": the command as the user typed it, for messages.
std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app; app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

// The commands named on the command line, root first ("autoblog", "tenant", "update").
std::vector<CLI::App*> parsed_chain(CLI::App& root) {
  std::vector<CLI::App*> chain{&root};
  for (;;) {
    CLI::App* next = nullptr;
    for (auto* sub : chain.back()->get_subcommands({}))
      if (sub->parsed()) next = sub;
    if (!next) return chain;
    chain.push_back(next);
  }
}

// " for 'autoblog tenant update'; see autoblog tenant update --help"
std::string where(const CLI::App* app) {
  return " for '" + command_path(app) + "'; see " + command_path(app) + " --help";
}

// CLI11 hands arguments no command takes to the nearest ancestor that allows extras (the root
// and `tenant` do, so that an unknown subcommand can be named). Returns the one-line usage error
// for what is left over, or for a group (`tenant`) called without its command; empty when fine.
std::string leftover_error(CLI::App& root) {
  auto chain = parsed_chain(root);
  std::vector<std::string> left;
  for (auto* app : chain)
    for (auto& arg : app->remaining()) left.push_back(arg);
  CLI::App* deepest = chain.back();
  const bool is_group = !deepest->get_subcommands({}).empty();
  if (left.empty()) {
    if (!is_group) return "";
    std::string names;
    for (auto* sub : deepest->get_subcommands({}))
      names += (names.empty() ? "" : ", ") + sub->get_name();
    return "missing command (" + names + ")" + where(deepest);
  }
  const std::string& first = left.front();
  if (first.size() > 1 && first[0] == '-') return "unknown option '" + first + "'" + where(deepest);
  if (is_group) return "unknown command '" + first + "'" + where(deepest);
  return "unexpected argument '" + first + "'" + where(deepest);
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{"AutoBlog: multi-tenant automated blog content platform", "autoblog"};
  cli.set_version_flag("--version", version_line(), "Print the version and exit");
  cli.require_subcommand(0, 1);
  cli.fallthrough();
  cli.footer(std::string(kDataDirNote) + "\n" + kExitCodes);

  std::optional<std::string> data_dir, database_url, log_level;
  bool verbose = false;
  // Options every command shares; added to each (sub)command so each --help lists them.
  auto add_common = [&](CLI::App* app) {
    app->add_option("--data-dir", data_dir,
                    "Data directory: embedded PostgreSQL, secrets, storage [env AUTOBLOG_DATA_DIR, "
                    "default ./var]");
    app->add_option("--database-url", database_url,
                    "PostgreSQL URL; unset = embedded cluster [env AUTOBLOG_DATABASE_URL]");
    app->add_option("--log-level", log_level,
                    "trace|debug|info|warn|error [env AUTOBLOG_LOG_LEVEL; default info for "
                    "serve, warn for the other commands]");
    app->add_flag("-v,--verbose", verbose,
                  "Log at info level (the other commands' default is warn)");
  };
  add_common(&cli);

  auto* serve_cmd = cli.add_subcommand(
      "serve", "Run the HTTP API server (and job workers); creates the data dir if needed");
  add_common(serve_cmd);
  std::optional<std::string> listen;
  std::optional<int> workers, io_threads, pool_size;
  serve_cmd->add_option("--listen", listen,
                        "HOST:PORT to listen on; HOST an IP address or a name such as localhost "
                        "(every address it resolves to) [env AUTOBLOG_LISTEN, default "
                        "127.0.0.1:8080]");
  serve_cmd->add_option("--workers", workers,
                        "In-process job workers, 0 = none [env AUTOBLOG_WORKERS, default 2]");
  serve_cmd->add_option("--io-threads", io_threads,
                        "Event loops, one thread each, sharing the HTTP connections [env "
                        "AUTOBLOG_IO_THREADS, default: one per core]");
  serve_cmd->add_option("--db-pool-size", pool_size,
                        "PostgreSQL connections shared by all tenants [env "
                        "AUTOBLOG_DB_POOL_SIZE, default 16]");

  auto* worker_cmd = cli.add_subcommand(
      "worker",
      "Run job workers only (no HTTP): start as many as you need, on any machine that reaches "
      "the database");
  add_common(worker_cmd);
  int worker_concurrency = 4;
  worker_cmd
      ->add_option("--concurrency", worker_concurrency, "Jobs this process runs at once (default 4)")
      ->check(CLI::Range(1, 256));

  auto* migrate_cmd = cli.add_subcommand(
      "migrate",
      "Apply core migrations and upgrade every tenant schema (parallel, resumable); creates the "
      "data dir if needed");
  add_common(migrate_cmd);
  MigrateOptions migrate;
  migrate_cmd->add_option("--jobs", migrate.jobs, "Tenants migrated concurrently (default 4)")
      ->check(CLI::Range(1, 64));
  migrate_cmd->add_option("--tenant-migrations-dir", migrate.tenant_migrations_dir,
                          "Use the NNNN_name.sql files of DIR instead of the built-in tenant "
                          "migrations (for testing a migration before release)");

  auto* tenant_cmd = cli.add_subcommand("tenant", "Operator commands on tenants");
  add_common(tenant_cmd);
  tenant_cmd->require_subcommand(0, 1);
  TenantCommand tc;
  add_tenant_subcommands(*tenant_cmd, tc);

  // Set last: subcommands copy these settings from their parent when they are created, and the
  // commands without subcommands must keep refusing extra arguments themselves.
  cli.allow_extras();
  tenant_cmd->allow_extras();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "autoblog: " << e.what() << where(parsed_chain(cli).back()) << "\n";
    return 2;
  }
  if (auto problem = leftover_error(cli); !problem.empty()) {
    std::cerr << "autoblog: " << problem << "\n";
    return 2;
  }

  Config config;
  try {
    const auto env = process_env();
    config = config_from_env(env);
    if (data_dir) config.data_dir = *data_dir;
    if (database_url) config.database_url = *database_url;
    if (log_level)
      config.log_level = *log_level;
    else if (verbose)
      config.log_level = "info";
    else if (!serve_cmd->parsed() && !worker_cmd->parsed() && !env("AUTOBLOG_LOG_LEVEL"))
      // An operator's terminal gets results and warnings, not the server's info lines.
      config.log_level = "warn";
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
    if (worker_cmd->parsed()) return run_worker(config, worker_concurrency);
    if (migrate_cmd->parsed()) return run_migrate(config, migrate);
    return run_tenant_command(config, tc);
  } catch (const ConfigError& e) {
    std::cerr << "autoblog: config error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "autoblog: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace autoblog::app
