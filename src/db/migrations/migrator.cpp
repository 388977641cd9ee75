#include "db/migrations/migrator.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "db/transaction.h"

namespace autoblog::db {

namespace {

int version_of(std::string_view name) {
  int v = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc() || end == name.data() || *end != '_' || v <= 0 || !name.ends_with(".sql"))
    throw std::runtime_error("migration file '" + std::string(name) +
                             "' must be named NNNN_description.sql with NNNN > 0");
  return v;
}

std::vector<Migration> sorted_checked(std::vector<Migration> out) {
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      throw std::runtime_error("two migrations share version " + std::to_string(out[i].version));
  return out;
}

// Serialises core migrations across processes (an arbitrary, fixed key).
constexpr CoreQuery kLockCore{"lock_core", "SELECT pg_advisory_xact_lock(7243150001)"};
constexpr CoreQuery kCreateCore{"create_core_schema", "CREATE SCHEMA IF NOT EXISTS autoblog_core"};
constexpr CoreQuery kCreateMigrationsTable{
    "create_schema_migrations",
    "CREATE TABLE IF NOT EXISTS autoblog_core.schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())"};
constexpr CoreQuery kAppliedVersions{"applied_core_versions",
                                     "SELECT version FROM autoblog_core.schema_migrations"};
constexpr CoreQuery kRecordVersion{
    "record_core_version",
    "INSERT INTO autoblog_core.schema_migrations (version, name) VALUES ($1, $2)"};

}  // namespace

std::vector<Migration> load_migrations(const std::vector<MigrationFile>& files) {
  std::vector<Migration> out;
  for (const auto& f : files)
    out.push_back({version_of(f.name), std::string(f.name), std::string(f.sql)});
  return sorted_checked(std::move(out));
}

std::vector<Migration> load_migrations_from_dir(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("migrations directory '" + dir.string() + "' does not exist");
  std::vector<Migration> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto name = entry.path().filename().string();
    out.push_back({version_of(name), name, ss.str()});
  }
  return sorted_checked(std::move(out));
}

boost::asio::awaitable<int> migrate_core(Pool& pool, const std::vector<Migration>& migrations) {
  std::set<int> applied;
  {
    auto tx = co_await CoreTx::begin(pool, pool.options().migration_statement_timeout);
    co_await tx.exec(kLockCore);
    co_await tx.exec(kCreateCore);
    co_await tx.exec(kCreateMigrationsTable);
    auto r = co_await tx.exec(kAppliedVersions);
    for (int i = 0; i < r.rows(); ++i) applied.insert(static_cast<int>(r.get_int(i, 0)));
    co_await tx.commit();
  }
  int count = 0;
  for (const auto& m : migrations) {
    if (applied.count(m.version)) continue;
    auto tx = co_await CoreTx::begin(pool, pool.options().migration_statement_timeout);
    co_await tx.exec(kLockCore);
    // Another process may have applied it while we waited for the lock.
    auto r = co_await tx.exec(kAppliedVersions);
    bool done = false;
    for (int i = 0; i < r.rows(); ++i) done = done || r.get_int(i, 0) == m.version;
    if (!done) {
      co_await tx.exec_script(m.sql);
      // (Params built outside co_await: GCC 12 miscompiles braced lists inside it.)
      Params record{param(m.version), param(m.name)};
      co_await tx.exec(kRecordVersion, std::move(record));
      ++count;
    }
    co_await tx.commit();
  }
  co_return count;
}

}  // namespace autoblog::db
