#include "app/cli_commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>

#include "app/cli_support.h"
#include "db/migrations/migrator.h"
#include "tenancy/tenant_migrator.h"

namespace autoblog::app {

namespace {

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

}  // namespace autoblog::app
