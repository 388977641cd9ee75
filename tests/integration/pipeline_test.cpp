// The connection's pipeline behaviour that Transaction relies on.
#include "db/connection.h"
#include "db/errors.h"
#include "db/transaction.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_tx.h"
#include "test_database.h"

using namespace autoblog;
using namespace autoblog::testing;

class PipelineTest : public DatabaseTest {};

// A pipeline without BEGIN runs as one implicit transaction that ends at its Sync: a LOCAL
// setting made by its first statement applies to the next ones and is gone afterwards.
TEST_F(PipelineTest, ImplicitTransactionScopesLocalSettingsToThePipeline) {
  auto paths = run([&]() -> boost::asio::awaitable<std::pair<std::string, std::string>> {
    auto conn = co_await pool_->acquire();
    std::vector<db::Statement> first;
    first.push_back({"SELECT set_config('search_path', 'pg_catalog, information_schema', true)", {}});
    first.push_back({"SELECT current_setting('search_path')", {}});
    auto r1 = co_await conn->pipeline(first);
    std::vector<db::Statement> second;
    second.push_back({"SELECT current_setting('search_path')", {}});
    auto r2 = co_await conn->pipeline(second);
    co_return std::make_pair(std::string(r1[1].get(0, 0)), std::string(r2[0].get(0, 0)));
  }());
  EXPECT_EQ(paths.first, "pg_catalog, information_schema");
  EXPECT_EQ(paths.second.find("information_schema"), std::string::npos) << paths.second;
}

// A failing statement in an implicit transaction undoes the statements before it.
TEST_F(PipelineTest, ImplicitTransactionRollsBackOnError) {
  query("CREATE TABLE pipeline_probe (v int)");
  auto threw = run([&]() -> boost::asio::awaitable<bool> {
    auto conn = co_await pool_->acquire();
    std::vector<db::Statement> batch;
    batch.push_back({"INSERT INTO pipeline_probe VALUES (1)", {}});
    batch.push_back({"SELECT 1/0", {}});
    try {
      co_await conn->pipeline(batch);
    } catch (const db::DbError&) {
      co_return true;
    }
    co_return false;
  }());
  EXPECT_TRUE(threw);
  EXPECT_EQ(query("SELECT count(*) FROM pipeline_probe"), "0");
}
