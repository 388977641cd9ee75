#include "app/cli_support.h"

#include <filesystem>
#include <system_error>

namespace autoblog::app {

Runtime cli_runtime(const Config& config, int connections) {
  RuntimeOptions o;
  o.io_threads = 1;
  o.db_pool_size = connections;
  o.db_acquire_timeout = std::chrono::milliseconds(30000);
  o.tenant_cache_ttl = std::chrono::seconds(0);
  return Runtime(config, o);
}

void require_existing_database(const Config& config) {
  if (config.database_url) return;
  // The embedded cluster's layout (db/embedded_postgres.h): <data_dir>/pg/data, complete once
  // initdb has written PG_VERSION.
  std::error_code ec;
  if (std::filesystem::exists(config.data_dir / "pg" / "data" / "PG_VERSION", ec)) return;
  std::error_code abs_ec;
  auto shown = std::filesystem::absolute(config.data_dir, abs_ec);
  if (abs_ec) shown = config.data_dir;
  const bool dir_exists = std::filesystem::exists(config.data_dir, ec);
  throw ConfigError(
      "no AutoBlog database in " + shown.string() +
      (dir_exists ? "" : " (the directory does not exist)") +
      "; point --data-dir or AUTOBLOG_DATA_DIR at the server's data dir (or set "
      "AUTOBLOG_DATABASE_URL), or create one with `autoblog serve` or `autoblog tenant create`");
}

}  // namespace autoblog::app
