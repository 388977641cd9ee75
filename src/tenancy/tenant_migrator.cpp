#include "tenancy/tenant_migrator.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/transaction.h"
#include "tenancy/registry.h"
#include "tenancy/schema_name.h"

namespace autoblog::tenancy {

namespace asio = boost::asio;
using db::param;
using db::Params;

namespace {

constexpr db::CoreQuery kCountLive{
    "tenants_count_live", "SELECT count(*) FROM autoblog_core.tenants WHERE status <> 'deleted'"};
constexpr db::CoreQuery kBehind{
    "tenants_behind",
    "SELECT id, schema_name FROM autoblog_core.tenants "
    "WHERE status <> 'deleted' AND schema_version < $1 ORDER BY id"};
// Re-read under a row lock: another migrator may have upgraded this tenant meanwhile.
constexpr db::CoreQuery kLockVersion{
    "tenant_lock_version",
    "SELECT schema_version FROM autoblog_core.tenants WHERE id = $1 AND status <> 'deleted' "
    "FOR UPDATE"};
constexpr db::CoreQuery kSetVersion{
    "tenant_set_version",
    "UPDATE autoblog_core.tenants SET schema_version = $2 WHERE id = $1"};

struct Work {
  std::vector<std::pair<std::string, std::string>> tenants;  // id, schema
  std::size_t next = 0;
  MigrationProgress progress;
  MigrationSummary summary;
};

asio::awaitable<void> upgrade_one(db::Pool& pool, const std::vector<db::Migration>& migrations,
                                  const std::string& id, const std::string& schema) {
  auto tx = co_await db::CoreTx::begin(pool, pool.options().migration_statement_timeout);
  Params lock{param(id)};
  auto r = co_await tx.exec(kLockVersion, std::move(lock));
  if (r.empty()) co_return;  // deleted meanwhile
  int from = static_cast<int>(r.get_int(0, 0));
  int target = db::latest_version(migrations);
  if (from >= target) co_return;
  co_await tx.exec_script(provisioning_script(schema, migrations, from));
  Params set{param(id), param(target)};
  co_await tx.commit_with(kSetVersion, std::move(set));
}

// One of `concurrency` lanes: takes the next tenant until none is left.
asio::awaitable<void> lane(db::Pool& pool, const std::vector<db::Migration>& migrations,
                           Work& work, const std::function<void(const MigrationProgress&)>& cb) {
  while (work.next < work.tenants.size()) {
    auto [id, schema] = work.tenants[work.next++];
    std::string error;
    try {
      co_await upgrade_one(pool, migrations, id, schema);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty()) {
      ++work.progress.done;
      ++work.summary.upgraded;
    } else {
      ++work.progress.failed;
      ++work.summary.failed;
      if (work.summary.errors.size() < 10)
        work.summary.errors.push_back("tenant " + id + ": " + error);
    }
    if (cb) cb(work.progress);
  }
}

}  // namespace

asio::awaitable<MigrationSummary> migrate_all_tenants(
    db::Pool& pool, const std::vector<db::Migration>& migrations, int concurrency,
    std::function<void(const MigrationProgress&)> on_progress) {
  Work work;
  work.summary.target_version = db::latest_version(migrations);
  {
    auto tx = co_await db::CoreTx::begin(pool);
    auto count = co_await tx.exec(kCountLive);
    work.summary.tenants = static_cast<std::size_t>(count.get_int(0, 0));
    Params p{param(work.summary.target_version)};
    auto r = co_await tx.commit_with(kBehind, std::move(p));
    for (int i = 0; i < r.rows(); ++i)
      work.tenants.emplace_back(std::string(r.get(i, 0)), std::string(r.get(i, 1)));
  }
  work.progress.total = work.tenants.size();
  if (on_progress) on_progress(work.progress);

  // The lanes share `work` without locks: they all run on this coroutine's (single) thread.
  auto executor = co_await asio::this_coro::executor;
  int lanes = std::max(1, std::min<int>(concurrency, static_cast<int>(work.tenants.size())));
  std::size_t finished = 0;
  std::exception_ptr first_error;
  asio::steady_timer done(executor, asio::steady_timer::time_point::max());
  for (int i = 0; i < lanes && !work.tenants.empty(); ++i) {
    asio::co_spawn(executor, lane(pool, migrations, work, on_progress),
                   [&](std::exception_ptr e) {
                     if (e && !first_error) first_error = e;
                     if (++finished == static_cast<std::size_t>(lanes)) done.cancel();
                   });
  }
  if (!work.tenants.empty() && finished < static_cast<std::size_t>(lanes)) {
    boost::system::error_code ec;
    co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (first_error) std::rethrow_exception(first_error);
  co_return work.summary;
}

}  // namespace autoblog::tenancy
