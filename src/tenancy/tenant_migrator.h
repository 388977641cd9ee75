#pragma once
// Brings every tenant schema to the latest tenant migration (`autoblog migrate`). Tenants are
// upgraded in parallel with bounded concurrency, each in its own transaction that also records
// the new schema_version, so a crash leaves every tenant either fully old or fully new and a
// rerun resumes with the ones still behind. Single-use; run on one io_context thread.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "db/migrations/migrator.h"
#include "db/pool.h"

namespace autoblog::tenancy {

struct MigrationProgress {
  std::size_t total = 0;     // tenants that needed upgrading
  std::size_t done = 0;      // upgraded so far
  std::size_t failed = 0;
};

struct MigrationSummary {
  std::size_t tenants = 0;   // live tenants seen
  std::size_t upgraded = 0;
  std::size_t failed = 0;
  std::vector<std::string> errors;  // "tenant <id>: <message>", first few
  int target_version = 0;
};

boost::asio::awaitable<MigrationSummary> migrate_all_tenants(
    db::Pool& pool, const std::vector<db::Migration>& migrations, int concurrency,
    std::function<void(const MigrationProgress&)> on_progress);

}  // namespace autoblog::tenancy
