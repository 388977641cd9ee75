#include "app/cli_commands.h"

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "api/common.h"
#include "api/tenant_admin.h"
#include "app/backends.h"
#include "app/runtime.h"
#include "app/secrets.h"
#include "db/migrations/migrator.h"
#include "http/errors.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_migrator.h"
#include "util/random.h"

namespace autoblog::app {

namespace asio = boost::asio;

namespace {

// What every CLI command needs: the database, a small pool on a private io_context, and the
// core schema up to date.
struct CliContext {
  DatabaseHandle database;
  asio::io_context ioc{1};
  db::Pool pool;
  int core_applied = 0;

  explicit CliContext(const Config& config)
      : database(config),
        pool(ioc.get_executor(),
             db::PoolOptions{database.conninfo(), 8, std::chrono::milliseconds(30000), 1024,
                             std::chrono::milliseconds(10000), config.db_prepared_statements, {}}) {
    core_applied = run_to_completion(
        ioc, db::migrate_core(pool, db::load_migrations(db::embedded_core_migrations())));
  }
};

void draw_progress(const tenancy::MigrationProgress& p) {
  constexpr int kWidth = 30;
  std::size_t finished = p.done + p.failed;
  int filled = p.total ? static_cast<int>(kWidth * finished / p.total) : kWidth;
  std::fprintf(stderr, "\rmigrating tenants [%s%s] %zu/%zu%s", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '-').c_str(), finished, p.total,
               p.failed ? (" (" + std::to_string(p.failed) + " failed)").c_str() : "");
  std::fflush(stderr);
}

std::string require_uuid(const std::string& id) {
  if (!util::is_uuid(id)) throw http::BadRequest("tenant id must be a UUID");
  return util::normalize_uuid(id);
}

}  // namespace

int run_migrate(const Config& config, const MigrateOptions& options) {
  auto started = std::chrono::steady_clock::now();
  auto migrations = options.tenant_migrations_dir
                        ? db::load_migrations_from_dir(*options.tenant_migrations_dir)
                        : db::load_migrations(db::embedded_tenant_migrations());
  CliContext ctx(config);
  bool tty = isatty(STDERR_FILENO) == 1;
  std::function<void(const tenancy::MigrationProgress&)> progress;
  if (tty) progress = draw_progress;
  auto summary = run_to_completion(
      ctx.ioc, tenancy::migrate_all_tenants(ctx.pool, migrations, options.jobs, progress));
  if (tty) std::fputc('\n', stderr);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& e : summary.errors) std::cerr << "autoblog: migrate: " << e << "\n";
  std::printf(
      "migrate: %d core migration(s) applied; tenants: %zu total, %zu upgraded, %zu failed, "
      "target version %d; %.2f s\n",
      ctx.core_applied, summary.tenants, summary.upgraded, summary.failed,
      summary.target_version, seconds);
  return summary.failed ? 1 : 0;
}

int run_tenant_command(const Config& config, const TenantCommand& cmd) {
  CliContext ctx(config);
  tenancy::TenantRegistry registry(ctx.pool, db::load_migrations(db::embedded_tenant_migrations()),
                                   std::chrono::seconds(0));
  auto print = [](const tenancy::Tenant& t) {
    std::cout << boost::json::serialize(api::tenant_json(t)) << "\n";
  };
  auto must_get = [&](const std::string& id) {
    auto t = run_to_completion(ctx.ioc, registry.get(require_uuid(id)));
    if (!t) throw std::runtime_error("tenant " + id + " not found");
    return *t;
  };

  if (cmd.action == "create") {
    boost::json::object body{{"name", cmd.name}, {"subscription_tier", cmd.tier}};
    if (cmd.domain) body["domain"] = *cmd.domain;
    auto spec = api::parse_new_tenant(body);
    print(run_to_completion(ctx.ioc, registry.create(spec)));
  } else if (cmd.action == "list") {
    std::vector<tenancy::Tenant> all;
    std::optional<std::string> cursor;
    do {
      auto page = run_to_completion(ctx.ioc, registry.list(100, cursor));
      for (auto& t : page.items) all.push_back(std::move(t));
      cursor = page.next_cursor;
    } while (cursor);
    if (cmd.json) {
      boost::json::array arr;
      for (const auto& t : all) arr.push_back(api::tenant_json(t));
      std::cout << boost::json::serialize(arr) << "\n";
    } else {
      std::printf("%-36s  %-9s  %-10s  %-24s  %s\n", "ID", "STATUS", "TIER", "DOMAIN", "NAME");
      for (const auto& t : all)
        std::printf("%-36s  %-9s  %-10s  %-24s  %s\n", t.id.c_str(),
                    std::string(tenancy::to_string(t.status)).c_str(),
                    std::string(tenancy::to_string(t.tier)).c_str(),
                    t.domain.value_or("-").c_str(), t.name.c_str());
    }
  } else if (cmd.action == "show") {
    print(must_get(cmd.id));
  } else if (cmd.action == "suspend" || cmd.action == "activate") {
    tenancy::TenantPatch patch;
    patch.status = cmd.action == "suspend" ? tenancy::Status::kSuspended : tenancy::Status::kActive;
    auto t = run_to_completion(ctx.ioc, registry.update(require_uuid(cmd.id), patch));
    if (!t) throw std::runtime_error("tenant " + cmd.id + " not found");
    print(*t);
  } else if (cmd.action == "delete") {
    Backends backends(config, ctx.ioc.get_executor(), nullptr);
    if (!run_to_completion(ctx.ioc, api::delete_tenant(registry, backends.storage(),
                                                       backends.cache(), require_uuid(cmd.id))))
      throw std::runtime_error("tenant " + cmd.id + " not found");
    std::cout << "deleted " << cmd.id << "\n";
  } else if (cmd.action == "token") {
    auto tenant = must_get(cmd.id);
    auto secrets = load_or_create_secrets(config.data_dir, config.admin_token, config.jwt_secret);
    auth::JwtCodec jwt(secrets.jwt_secret);
    auto out = run_to_completion(ctx.ioc, api::issue_token(registry, jwt, tenant, cmd.ttl_seconds));
    std::cout << out.at("token").as_string().c_str() << "\n";
  } else {
    throw std::logic_error("unknown tenant action " + cmd.action);
  }
  return 0;
}

}  // namespace autoblog::app
