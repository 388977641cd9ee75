#pragma once
// A fresh database per test on the cluster started by scripts/run-tests.sh
// (AUTOBLOG_TEST_DATABASE_URL); tests skip when it is not set. Blocking libpq is fine here.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/runtime.h"
#include "db/migrations/migrator.h"
#include "db/pool.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_tx.h"
#include "util/random.h"

namespace autoblog::testing {

inline std::string admin_url() {
  const char* u = std::getenv("AUTOBLOG_TEST_DATABASE_URL");
  return u ? u : "";
}

// Runs one SQL statement on a blocking connection; returns the first value of the first row.
inline std::string sql_value(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string err = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("connect: " + err);
  }
  PGresult* r = PQexec(c, sql.c_str());
  auto st = PQresultStatus(r);
  std::string out;
  if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  std::string err = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) throw std::runtime_error(sql + ": " + err);
  return out;
}

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (admin_url().empty()) GTEST_SKIP() << "AUTOBLOG_TEST_DATABASE_URL not set";
    name_ = "it_" + util::random_hex(6);
    sql_value(admin_url(), "CREATE DATABASE " + name_);
    conninfo_ = admin_url();
    auto slash = conninfo_.find("/postgres");
    conninfo_.replace(slash, 9, "/" + name_);
    pool_ = std::make_unique<db::Pool>(ioc_.get_executor(),
                                       db::PoolOptions{conninfo_, 4, std::chrono::milliseconds(500),
                                                       16, std::chrono::milliseconds(5000), true, {}});
    run(db::migrate_core(*pool_, db::load_migrations(db::embedded_core_migrations())));
  }
  void TearDown() override {
    pool_.reset();
    if (!name_.empty()) sql_value(admin_url(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return app::run_to_completion(ioc_, std::move(task));
  }
  void run(boost::asio::awaitable<void> task) {
    app::run_to_completion(ioc_, [](boost::asio::awaitable<void> t) -> boost::asio::awaitable<int> {
      co_await std::move(t);
      co_return 0;
    }(std::move(task)));
  }
  std::string query(const std::string& sql) { return sql_value(conninfo_, sql); }

  boost::asio::io_context ioc_{1};
  std::string name_;
  std::string conninfo_;
  std::unique_ptr<db::Pool> pool_;
};

// A DatabaseTest with a tenant registry on its pool, for tests that need tenants of their own.
class TenantRegistryTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (!pool_) return;
    registry_ = std::make_unique<tenancy::TenantRegistry>(
        *pool_, db::load_migrations(db::embedded_tenant_migrations()), std::chrono::seconds(30));
  }
  void TearDown() override {
    registry_.reset();
    DatabaseTest::TearDown();
  }
  // A new starter-tier tenant, resolved as an active one.
  std::shared_ptr<const tenancy::ActiveTenant> make_tenant(const std::string& name) {
    auto t = run(registry_->create(tenancy::NewTenant{name, std::nullopt, tenancy::Tier::kStarter}));
    return run(registry_->resolve_active(t.id));
  }
  // A content row of `t` with this id and inspiration JSON, written through `pool`.
  void insert_content(db::Pool& pool, const tenancy::ActiveTenant& t, const std::string& id,
                      const std::string& inspiration_json) {
    static constexpr db::TenantQuery kInsertWithId{
        "test_insert_content",
        "INSERT INTO {schema}.content_pipelines (id, inspiration_data) VALUES ($1, $2::jsonb)"};
    // Parameters built outside the coroutine: GCC 12 rejects a braced vector in a co_await.
    db::Params params{db::param(id), db::param(inspiration_json)};
    run([&]() -> boost::asio::awaitable<void> {
      auto tx = co_await tenancy::TenantTx::begin(pool, t);
      co_await tx.commit_with(kInsertWithId, std::move(params));
    }());
  }

  std::unique_ptr<tenancy::TenantRegistry> registry_;
};

}  // namespace autoblog::testing
