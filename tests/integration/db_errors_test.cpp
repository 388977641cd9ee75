// Database errors carry what the server said about them: the SQLSTATE class and, for a
// constraint violation, which constraint or unique index (so a service can tell a taken slug
// from any other unique value).
#include "db/connection.h"
#include "db/errors.h"
#include "test_database.h"

using namespace autoblog;
using namespace autoblog::testing;

// Pooled connections run with an empty search_path: the table is named with its schema.
class DbErrorsTest : public DatabaseTest {
 protected:
  struct Seen {
    std::string sqlstate;
    std::string constraint;
  };
  // What the error `sql` throws says, run through a pooled (pipelined) connection.
  Seen error_of(const std::string& sql) {
    return run([&]() -> boost::asio::awaitable<Seen> {
      auto conn = co_await pool_->acquire();
      try {
        co_await conn->exec(db::Statement{sql, {}});
      } catch (const db::DbError& e) {
        co_return Seen{e.sqlstate(), e.constraint()};
      }
      co_return Seen{"no error", ""};
    }());
  }
};

TEST_F(DbErrorsTest, UniqueViolationsNameTheIndexOrConstraint) {
  query("CREATE TABLE probe (id int PRIMARY KEY, doc jsonb)");
  query("CREATE UNIQUE INDEX probe_slug ON probe ((doc ->> 'slug'))");
  query("INSERT INTO public.probe VALUES (1, '{\"slug\": \"a\"}')");
  auto by_index = error_of("INSERT INTO public.probe VALUES (2, '{\"slug\": \"a\"}')");
  EXPECT_EQ(by_index.sqlstate, "23505");
  EXPECT_EQ(by_index.constraint, "probe_slug");
  auto by_key = error_of("INSERT INTO public.probe VALUES (1, '{\"slug\": \"b\"}')");
  EXPECT_EQ(by_key.constraint, "probe_pkey");
  // the thrown type is still the classified one
  EXPECT_THROW(
      run([&]() -> boost::asio::awaitable<void> {
        auto conn = co_await pool_->acquire();
        co_await conn->exec(db::Statement{"INSERT INTO public.probe VALUES (1, NULL)", {}});
      }()),
      db::UniqueViolation);
}

TEST_F(DbErrorsTest, OtherErrorsNameNoConstraint) {
  auto e = error_of("SELECT 1/0");
  EXPECT_EQ(e.sqlstate, "22012");
  EXPECT_EQ(e.constraint, "");
}
