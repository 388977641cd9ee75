// The tenant statement path: schema-qualified templates, the per-connection statement cache, and
// the empty search_path of pooled connections. Isolation must hold whether the cache hits,
// evicts, is disabled, or prepared statements are off altogether.
#include "cache/in_process_cache.h"
#include "content/content_service.h"
#include "db/errors.h"
#include "db/transaction.h"
#include "tenancy/errors.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_tx.h"
#include "test_database.h"

#include <boost/json.hpp>

using namespace autoblog;
using namespace autoblog::testing;

namespace {

// Passes the compile-time check (it names {schema}.) but also names a table without it.
constexpr db::TenantQuery kHalfQualified{
    "sp_half_qualified",
    "SELECT count(*) FROM {schema}.brand_configs, content_pipelines"};
constexpr db::CoreQuery kPrepared{
    "sp_prepared",
    "SELECT count(*), string_agg(statement, ' | ') FROM pg_prepared_statements "
    "WHERE name LIKE 'abt%'"};  // the statement cache's names (db/statement_cache.cpp)
constexpr db::CoreQuery kSessionSettings{
    "sp_settings",
    "SELECT current_setting('search_path'), current_setting('TimeZone'), "
    "current_setting('DateStyle')"};

struct PoolVariant {
  const char* name;
  bool use_prepared;
  std::size_t cache_size;
};

}  // namespace

class StatementPathTest : public TenantRegistryTest {
 protected:
  // A pool of one connection, so every statement goes through the same statement cache.
  std::unique_ptr<db::Pool> single_connection_pool(bool use_prepared, std::size_t cache_size) {
    db::PoolOptions o;
    o.conninfo = conninfo_;
    o.size = 1;
    o.use_prepared = use_prepared;
    o.statement_cache_size = cache_size;
    o.shared_reads = false;  // tests/integration/shared_reads_test.cpp covers those
    return std::make_unique<db::Pool>(ioc_.get_executor(), o);
  }
};

TEST_F(StatementPathTest, PooledConnectionsHaveAnEmptySearchPathUtcAndIsoDates) {
  auto r = run([&]() -> boost::asio::awaitable<db::Result> {
    auto tx = co_await db::CoreTx::begin(*pool_);
    co_return co_await tx.commit_with(kSessionSettings);
  }());
  EXPECT_EQ(r.get(0, 0), "\"\"");
  EXPECT_EQ(r.get(0, 1), "UTC");
  EXPECT_EQ(r.get(0, 2), "ISO, YMD");
}

// A tenant table named without {schema} is an error — not another tenant's rows, and not
// mistaken for a deleted tenant (which would answer 403 and hide the bug).
TEST_F(StatementPathTest, AnUnqualifiedTenantTableIsAnError) {
  auto a = make_tenant("A");
  try {
    run([&]() -> boost::asio::awaitable<void> {
      auto tx = co_await tenancy::TenantTx::begin(*pool_, *a);
      co_await tx.commit_with(kHalfQualified);
    }());
    FAIL() << "an unqualified table name was resolved";
  } catch (const tenancy::TenantInactive&) {
    FAIL() << "an unqualified table name was taken for a deleted tenant";
  } catch (const db::DbError& e) {
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_NE(std::string(e.what()).find("\"content_pipelines\""), std::string::npos) << e.what();
  }
}

// Two tenants whose rows have the same ids, read alternately through one connection: each sees
// only its own row, with the cache hitting (large), evicting on every switch (one entry),
// disabled (zero), and with prepared statements off (PgBouncer before 1.21).
TEST_F(StatementPathTest, IdenticalIdsStayIsolatedWhateverTheCacheDoes) {
  auto a = make_tenant("A");
  auto b = make_tenant("B");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *a, id, R"({"owner": "A"})");
  insert_content(*pool_, *b, id, R"({"owner": "B"})");
  cache::InProcessCache unused_cache(1 << 20);
  for (auto variant : {PoolVariant{"cache hits", true, 256}, PoolVariant{"cache evicts", true, 1},
                       PoolVariant{"cache disabled", true, 0},
                       PoolVariant{"no prepared statements", false, 256}}) {
    SCOPED_TRACE(variant.name);
    auto pool = single_connection_pool(variant.use_prepared, variant.cache_size);
    content::ContentService service(*pool);
    for (int round = 0; round < 6; ++round) {
      for (const auto* t : {a.get(), b.get()}) {
        auto json = boost::json::parse(run(service.get(*t, id)));
        auto owner = json.at("inspiration_data").at("owner").as_string();
        EXPECT_EQ(owner, t == a.get() ? "A" : "B");
        EXPECT_EQ(json.at("id").as_string(), id);
      }
    }
    // What the connection holds prepared for tenant statements.
    auto prepared = run([&]() -> boost::asio::awaitable<db::Result> {
      auto tx = co_await db::CoreTx::begin(*pool);
      co_return co_await tx.commit_with(kPrepared);
    }());
    auto count = prepared.get_int(0, 0);
    if (!variant.use_prepared || variant.cache_size == 0) {
      EXPECT_EQ(count, 0);
    } else if (variant.cache_size == 1) {
      EXPECT_EQ(count, 1);  // evicted statements were deallocated
    } else {
      EXPECT_EQ(count, 2);  // one per tenant schema, planned once each
      auto text = std::string(prepared.get(0, 1));
      EXPECT_NE(text.find("\"" + (*a)->schema_name + "\".content_pipelines"), std::string::npos);
      EXPECT_NE(text.find("\"" + (*b)->schema_name + "\".content_pipelines"), std::string::npos);
    }
  }
}

// A statement whose Parse fails (here: its tenant's schema is gone) is not left in the cache,
// and the connection keeps working for other tenants.
TEST_F(StatementPathTest, AFailedPrepareLeavesTheConnectionUsable) {
  auto a = make_tenant("A");
  auto b = make_tenant("B");
  auto pool = single_connection_pool(true, 1);
  content::ContentService service(*pool);
  const std::string id = util::uuid_v4();
  insert_content(*pool, *b, id, R"({"owner": "B"})");
  EXPECT_NO_THROW(run(service.get(*b, id)));  // b's statement now in the one-entry cache
  ASSERT_TRUE(run(registry_->begin_deletion(a->id())));
  EXPECT_THROW(run(service.get(*a, id)), tenancy::TenantInactive);
  auto json = boost::json::parse(run(service.get(*b, id)));
  EXPECT_EQ(json.at("inspiration_data").at("owner").as_string(), "B");
}
