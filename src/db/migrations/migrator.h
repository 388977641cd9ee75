#pragma once
// Versioned SQL migrations. Core migrations (schema autoblog_core) are recorded in
// autoblog_core.schema_migrations and applied under an advisory lock, so several processes
// starting at once apply each exactly once. Tenant migrations are applied per tenant schema by
// tenancy/tenant_migrator; this file only loads and orders them.
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "db/migrations/embedded.h"
#include "db/pool.h"

namespace autoblog::db {

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
};

// Parses "NNNN_name.sql" versions; sorted; throws std::runtime_error on a bad or repeated version.
std::vector<Migration> load_migrations(const std::vector<MigrationFile>& files);
std::vector<Migration> load_migrations_from_dir(const std::filesystem::path& dir);
inline int latest_version(const std::vector<Migration>& m) {
  return m.empty() ? 0 : m.back().version;
}

// Creates autoblog_core if needed and applies pending core migrations, each in its own
// transaction. Returns how many were applied.
boost::asio::awaitable<int> migrate_core(Pool& pool, const std::vector<Migration>& migrations);

}  // namespace autoblog::db
