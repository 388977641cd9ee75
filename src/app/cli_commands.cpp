#include "app/cli_commands.h"

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "api/common.h"
#include "app/backends.h"
#include "app/runtime.h"
#include "app/secrets.h"
#include "auth/jwt.h"
#include "db/migrations/migrator.h"
#include "domain/errors.h"
#include "storage/object_storage.h"
#include "tenancy/errors.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_migrator.h"
#include "tenancy/tenant_service.h"
#include "util/text.h"

namespace autoblog::app {

namespace asio = boost::asio;

namespace {

// The CLI's runtime: the caller's thread only, a small pool that waits patiently (an operator
// command may queue behind a busy server), no tenant cache (every lookup is fresh).
Runtime cli_runtime(const Config& config, int connections) {
  RuntimeOptions o;
  o.io_threads = 1;
  o.db_pool_size = connections;
  o.db_acquire_timeout = std::chrono::milliseconds(30000);
  o.tenant_cache_ttl = std::chrono::seconds(0);
  return Runtime(config, o);
}

void draw_progress(const tenancy::MigrationProgress& p) {
  constexpr int kWidth = 30;
  std::size_t finished = p.done + p.failed;
  int filled = p.total ? static_cast<int>(kWidth * finished / p.total) : kWidth;
  std::fprintf(stderr, "\rmigrating tenants [%s%s] %zu/%zu%s", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '-').c_str(), finished, p.total,
               p.failed ? (" (" + std::to_string(p.failed) + " failed)").c_str() : "");
  std::fflush(stderr);
}

}  // namespace

int run_migrate(const Config& config, const MigrateOptions& options) {
  auto started = std::chrono::steady_clock::now();
  auto migrations = options.tenant_migrations_dir
                        ? db::load_migrations_from_dir(*options.tenant_migrations_dir)
                        : db::load_migrations(db::embedded_tenant_migrations());
  Runtime rt = cli_runtime(config, std::max(8, options.jobs + 1));
  bool tty = isatty(STDERR_FILENO) == 1;
  std::function<void(const tenancy::MigrationProgress&)> progress;
  if (tty) progress = draw_progress;
  auto summary =
      rt.run(tenancy::migrate_all_tenants(rt.pool(), migrations, options.jobs, progress));
  if (tty) std::fputc('\n', stderr);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& e : summary.errors) std::cerr << "autoblog: migrate: " << e << "\n";
  std::printf(
      "migrate: %d core migration(s) applied; tenants: %zu total, %zu upgraded, %zu failed, "
      "target version %d; %.2f s\n",
      rt.core_migrations_applied(), summary.tenants, summary.upgraded, summary.failed,
      summary.target_version, seconds);
  return summary.failed ? 1 : 0;
}

int run_tenant_command(const Config& config, const TenantCommand& cmd) {
  Runtime rt = cli_runtime(config, 8);
  auto& backends = rt.backends();
  tenancy::TenantService service(rt.registry(), backends.storage(), backends.cache());
  auto print = [](const tenancy::Tenant& t) {
    std::cout << util::terminal_safe_json(boost::json::serialize(api::tenant_json(t))) << "\n";
  };

  // The service's errors are one line each on stderr and exit code 1 (bad input, unknown
  // tenant); anything else propagates to cli.cpp (also one line, exit code 1).
  try {
    if (cmd.action == "create") {
      tenancy::TenantSpec spec{cmd.name, cmd.domain, cmd.tier};
      print(rt.run(service.create(spec)));
    } else if (cmd.action == "list") {
      std::vector<tenancy::Tenant> all;
      std::optional<std::string> cursor;
      do {
        auto page = rt.run(service.list(100, cursor));
        for (auto& t : page.items) all.push_back(std::move(t));
        cursor = page.next_cursor;
      } while (cursor);
      if (cmd.json) {
        boost::json::array arr;
        for (const auto& t : all) arr.push_back(api::tenant_json(t));
        std::cout << util::terminal_safe_json(boost::json::serialize(arr)) << "\n";
      } else {
        std::printf("%-36s  %-9s  %-10s  %-24s  %s\n", "ID", "STATUS", "TIER", "DOMAIN", "NAME");
        // Names and domains are tenant-chosen text (rows older than today's validation
        // included): escape control and bidi characters before they reach the terminal.
        for (const auto& t : all)
          std::printf("%-36s  %-9s  %-10s  %-24s  %s\n", t.id.c_str(),
                      std::string(tenancy::to_string(t.status)).c_str(),
                      std::string(tenancy::to_string(t.tier)).c_str(),
                      util::terminal_safe(t.domain.value_or("-")).c_str(),
                      util::terminal_safe(t.name).c_str());
      }
    } else if (cmd.action == "show") {
      print(rt.run(service.get(cmd.id)));
    } else if (cmd.action == "suspend" || cmd.action == "activate") {
      tenancy::TenantChanges changes;
      changes.status = cmd.action == "suspend" ? "suspended" : "active";
      print(rt.run(service.update(cmd.id, changes)));
    } else if (cmd.action == "delete") {
      try {
        // (Runtime::run needs a value; the lambda lives until it returns.)
        rt.run([&]() -> asio::awaitable<int> {
          co_await service.remove(cmd.id);
          co_return 0;
        }());
      } catch (const storage::StorageUnavailable& e) {
        std::cerr << "autoblog: tenant " << cmd.id
                  << " is deleted but its files could not be purged (" << e.what()
                  << "); run `autoblog tenant delete " << cmd.id << "` again to finish\n";
        return 1;
      }
      std::cout << "deleted " << cmd.id << "\n";
    } else if (cmd.action == "token") {
      auto secrets = load_or_create_secrets(config.data_dir, config.admin_token, config.jwt_secret);
      auth::JwtCodec jwt(secrets.jwt_secret);
      auto issued = rt.run(service.issue_token(jwt, cmd.id, cmd.ttl_seconds));
      std::cout << issued.token << "\n";
    } else if (cmd.action == "tokens") {
      std::printf("%-36s  %-27s  %-27s  %s\n", "JTI", "ISSUED", "EXPIRES", "REVOKED");
      std::optional<std::string> cursor;
      do {
        auto page = rt.run(service.list_tokens(cmd.id, 100, cursor));
        for (const auto& t : page.items)
          std::printf("%-36s  %-27s  %-27s  %s\n", t.jti.c_str(), t.issued_at.c_str(),
                      t.expires_at.c_str(), t.revoked_at.value_or("-").c_str());
        cursor = page.next_cursor;
      } while (cursor);
    } else if (cmd.action == "revoke") {
      rt.run([&]() -> asio::awaitable<int> {
        co_await service.revoke_token(cmd.id, cmd.jti);
        co_return 0;
      }());
      std::cout << "revoked " << cmd.jti << "\n";
    } else {
      throw std::logic_error("unknown tenant action " + cmd.action);
    }
  } catch (const domain::Error& e) {
    if (dynamic_cast<const tenancy::TokenNotFound*>(&e))
      std::cerr << "autoblog: tenant " << cmd.id << " has no token " << cmd.jti << "\n";
    else if (e.kind() == domain::ErrorKind::kNotFound)
      std::cerr << "autoblog: tenant " << cmd.id << " not found\n";
    else
      std::cerr << "autoblog: tenant " << cmd.action << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace autoblog::app
