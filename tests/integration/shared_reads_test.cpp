// Single-statement reads multiplexed on one connection per loop (db/shared_reads.h): many
// requests' statements in flight at once, each in its own implicit transaction, results matched
// in order. Results never cross between callers or tenants; one statement's error, a caller's
// cancellation or a statement past its deadline touches nobody else; a connection killed
// mid-pipeline fails only what was in flight on it, and the next read opens a fresh one.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>

#include "content/content_service.h"
#include "db/connection.h"
#include "db/errors.h"
#include "db/transaction.h"
#include "tenancy/errors.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_tx.h"
#include "test_database.h"

using namespace autoblog;
using namespace autoblog::testing;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A read that takes $2 seconds, returning the backend that ran it.
constexpr db::TenantReadQuery kSlowRead{
    "sr_slow",
    "SELECT pg_backend_pid()::text, pg_sleep($2::float8)::text FROM {schema}.content_pipelines "
    "WHERE id = $1"};
// Fails for $2 = 0 (division by zero) and only then.
constexpr db::TenantReadQuery kDivide{
    "sr_divide", "SELECT (100 / $2::int)::text FROM {schema}.content_pipelines WHERE id = $1"};
constexpr db::TenantReadQuery kHalfQualified{
    "sr_half_qualified", "SELECT count(*) FROM {schema}.brand_configs, content_pipelines"};

}  // namespace

class SharedReadsTest : public TenantRegistryTest {
 protected:
  void TearDown() override {
    shared_pool_.reset();
    TenantRegistryTest::TearDown();
  }
  db::Pool& shared_pool(std::size_t cache_size = 256,
                        std::chrono::milliseconds statement_timeout = 5000ms) {
    db::PoolOptions o;
    o.conninfo = conninfo_;
    o.size = 2;
    o.statement_cache_size = cache_size;
    o.shared_reads_cache_size = cache_size;
    o.statement_timeout = statement_timeout;
    shared_pool_ = std::make_unique<db::Pool>(ioc_.get_executor(), o);
    return *shared_pool_;
  }
  // Starts `n` reads at once (in one event-loop turn) and waits for all: each result, or the
  // exception it ended with.
  template <class Op>
  std::vector<std::variant<db::Result, std::exception_ptr>> concurrently(int n, Op op) {
    std::vector<std::variant<db::Result, std::exception_ptr>> out(n);
    int done = 0;
    for (int i = 0; i < n; ++i)
      asio::co_spawn(ioc_, op(i), [&, i](std::exception_ptr e, db::Result r) {
        if (e)
          out[i] = e;
        else
          out[i] = std::move(r);
        ++done;
      });
    ioc_.restart();
    while (done < n) ioc_.run_one();
    return out;
  }
  static std::string error_of(const std::variant<db::Result, std::exception_ptr>& v) {
    if (v.index() == 0) return "";
    try {
      std::rethrow_exception(std::get<1>(v));
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  // Runs the loop until `task` is done. Not run(), which runs it until it has no work left: a
  // stream's deadline timer keeps running between round trips (see stream_idle()).
  template <class T>
  T until_done(asio::awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr error;
    bool done = false;
    asio::co_spawn(ioc_, std::move(task), [&](std::exception_ptr e, T r) {
      error = e;
      if (!e) result.emplace(std::move(r));
      done = true;
    });
    ioc_.restart();
    while (!done) ioc_.run_one();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
  void until_done(asio::awaitable<void> task) {
    until_done([](asio::awaitable<void> t) -> asio::awaitable<bool> {
      co_await std::move(t);
      co_return true;
    }(std::move(task)));
  }

  std::unique_ptr<db::Pool> shared_pool_;
};

// 400 reads in flight at once over 8 tenants whose rows share ids, through caches that hit and
// that evict on nearly every statement: each caller gets exactly its own tenant's row.
TEST_F(SharedReadsTest, RepliesNeverCrossBetweenCallersOrTenants) {
  std::vector<std::shared_ptr<const tenancy::ActiveTenant>> tenants;
  std::vector<std::string> ids;
  for (int t = 0; t < 8; ++t) tenants.push_back(make_tenant("T" + std::to_string(t)));
  for (int k = 0; k < 5; ++k) ids.push_back(util::uuid_v4());
  for (int t = 0; t < 8; ++t)
    for (int k = 0; k < 5; ++k)
      insert_content(
          *pool_, *tenants[t], ids[k],
          R"({"tenant": )" + std::to_string(t) + R"(, "row": )" + std::to_string(k) + "}");
  for (std::size_t cache : {256u, 2u, 0u}) {
    SCOPED_TRACE("cache " + std::to_string(cache));
    auto& pool = shared_pool(cache);
    content::ContentService service(pool);
    std::vector<std::string> got(400);
    int done = 0;
    for (int i = 0; i < 400; ++i)
      asio::co_spawn(ioc_, service.get(*tenants[i % 8], ids[(i / 8) % 5]),
                     [&, i](std::exception_ptr e, std::string json) {
                       got[i] = e ? "error" : json;
                       ++done;
                     });
    ioc_.restart();
    while (done < 400) ioc_.run_one();
    for (int i = 0; i < 400; ++i) {
      auto json = boost::json::parse(got[i]);
      EXPECT_EQ(json.at("inspiration_data").at("tenant").as_int64(), i % 8) << i;
      EXPECT_EQ(json.at("inspiration_data").at("row").as_int64(), (i / 8) % 5) << i;
      EXPECT_EQ(json.at("id").as_string(), ids[(i / 8) % 5]) << i;
    }
    auto stats = pool.shared_reads()->stats();
    EXPECT_EQ(stats.statements, 400u);
    EXPECT_EQ(stats.connections, 1u);
    // Auto-pipelined: many statements per write (at most kMaxInFlight in flight).
    EXPECT_LE(stats.writes, 400u / 8);
  }
}

// One statement's error goes to its caller only: the statements before it in the same batch
// succeed, those after it (skipped by the server) are sent again and succeed, and so does the
// next batch. Each statement is counted once.
TEST_F(SharedReadsTest, AStatementErrorFailsOnlyItsCaller) {
  auto a = make_tenant("A");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *a, id, "{}");
  auto& pool = shared_pool();
  for (int round = 0; round < 2; ++round) {
    auto out = concurrently(30, [&](int i) {
      return tenancy::TenantTx::read_one(
          pool, *a, kDivide, db::Params{db::param(id), db::param(std::to_string(i % 10))});
    });
    for (int i = 0; i < 30; ++i) {
      if (i % 10 == 0) {
        EXPECT_NE(error_of(out[i]).find("division by zero"), std::string::npos) << i;
      } else {
        ASSERT_EQ(out[i].index(), 0u) << i << ": " << error_of(out[i]);
        EXPECT_EQ(std::get<0>(out[i]).get(0, 0), std::to_string(100 / (i % 10))) << i;
      }
    }
  }
  auto stats = pool.shared_reads()->stats();
  EXPECT_EQ(stats.connections, 1u);
  EXPECT_EQ(stats.statements, 60u);
  EXPECT_GT(stats.retried, 0u) << "the failures were inside batches, not only at their ends";
}

// A batch whose statement fails makes the server skip the Parse of a new prepared statement
// behind it; a later batch, already sent, runs that statement by name and finds it missing.
// Both are reported as skipped (not run, to be run again), never as errors, and run again they
// succeed. Driven on the connection directly, so that the second batch is surely sent before
// the first one's outcomes are read.
TEST_F(SharedReadsTest, AStatementWhoseParseWasSkippedIsRunAgain) {
  auto a = make_tenant("A");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *a, id, "{}");
  auto schema = db::SchemaIdentifier::tenant((*a)->schema_name);
  auto conn = run(db::Connection::connect(ioc_.get_executor(), conninfo_, 2s, true, 16));
  auto statement = [&](const db::TenantReadQuery& q, std::string divisor) {
    return db::Statement{
        q.query().sql(), {db::param(id), db::param(std::move(divisor))}, false, &schema};
  };
  auto next = [&]() { return until_done(conn->stream_next(db::kNoDeadline)); };
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  conn->stream_queue(statement(kDivide, "0"));    // fails
  conn->stream_queue(statement(kSlowRead, "0"));  // Parse X + Execute X: skipped
  until_done(conn->stream_flush(deadline));
  conn->stream_queue(statement(kSlowRead, "0"));  // Execute X (cached): X does not exist
  until_done(conn->stream_flush(deadline));
  EXPECT_THROW(next(), db::DbError);
  EXPECT_EQ(next(), std::nullopt);
  EXPECT_EQ(next(), std::nullopt);
  // Run again: prepared anew, both succeed.
  conn->stream_queue(statement(kSlowRead, "0"));
  conn->stream_queue(statement(kSlowRead, "0"));
  until_done(conn->stream_flush(deadline));
  for (int i = 0; i < 2; ++i) {
    auto r = next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rows(), 1);
  }
  EXPECT_FALSE(conn->broken());
}

// A stream's round trips leave their deadline timer running (db/connection.cpp, Armed's stream
// mode) rather than arming and cancelling it for each. The deadline still holds: a round trip
// that outlives the timer's expiry under its own later deadline is not given up on; one whose
// deadline passes after the timer re-armed for it, or whose deadline is sooner than the timer's
// expiry, is given up on at its deadline. stream_idle() stops the timer, so the loop runs out of
// work. No statement_timeout on these connections: the server would go on sleeping, so only
// the client's deadline can end the wait.
TEST_F(SharedReadsTest, TheStreamDeadlineHoldsWhileItsTimerRunsOn) {
  auto a = make_tenant("A");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *a, id, "{}");
  auto schema = db::SchemaIdentifier::tenant((*a)->schema_name);
  using Clock = std::chrono::steady_clock;
  auto read = [&](db::Connection& conn, double seconds, Clock::duration timeout) {
    conn.stream_queue(db::Statement{kSlowRead.query().sql(),
                                    {db::param(id), db::param(std::to_string(seconds))},
                                    false,
                                    &schema});
    auto deadline = Clock::now() + timeout;
    return until_done(
        [](db::Connection& c, db::Deadline d) -> asio::awaitable<std::optional<db::Result>> {
          co_await c.stream_flush(d);
          co_return co_await c.stream_next(d);
        }(conn, deadline));
  };
  auto connect = [&] {
    return run(db::Connection::connect(ioc_.get_executor(), conninfo_, 2s, true, 16));
  };
  {
    auto conn = connect();
    ASSERT_TRUE(read(*conn, 0, 200ms));  // leaves the timer waiting for about +200 ms
    // Runs past that expiry, under a deadline of its own 3 s away: the timer re-arms.
    auto start = Clock::now();
    auto r = read(*conn, 0.5, 3s);
    EXPECT_LT(Clock::now() - start, 2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rows(), 1);
    EXPECT_FALSE(conn->broken());
    // A deadline sooner than the timer's expiry (about 2.5 s away) re-arms it sooner.
    start = Clock::now();
    EXPECT_THROW(read(*conn, 5, 300ms), db::QueryTimeout);
    EXPECT_LT(Clock::now() - start, 2s);
    EXPECT_TRUE(conn->broken());
  }
  {
    auto conn = connect();
    ASSERT_TRUE(read(*conn, 0, 200ms));
    // The timer expires during this read at +200 ms, re-arms for its deadline, then gives up.
    auto start = Clock::now();
    EXPECT_THROW(read(*conn, 5, 700ms), db::QueryTimeout);
    auto took = Clock::now() - start;
    EXPECT_GE(took, 600ms);
    EXPECT_LT(took, 3s);
    EXPECT_TRUE(conn->broken());
  }
  {
    auto conn = connect();
    ASSERT_TRUE(read(*conn, 0, 30s));
    conn->stream_idle();
    auto start = Clock::now();
    ioc_.restart();
    ioc_.run();  // nothing left: not 30 s
    EXPECT_LT(Clock::now() - start, 5s);
    EXPECT_FALSE(conn->broken());
    ASSERT_TRUE(read(*conn, 0, 30s));  // and the stream goes on
  }
}

// A table named without {schema} is an error on the shared connection too, and a deleted
// tenant's read is TenantInactive — neither disturbs the reads around it.
TEST_F(SharedReadsTest, UnqualifiedTablesAndDeletedTenantsFailAlone) {
  auto a = make_tenant("A");
  auto b = make_tenant("B");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *b, id, R"({"owner": "B"})");
  auto& pool = shared_pool(1);
  content::ContentService service(pool);
  ASSERT_TRUE(run(registry_->begin_deletion(a->id())));
  auto out = concurrently(6, [&](int i) {
    if (i == 1)
      return tenancy::TenantTx::read_one(pool, *a, kDivide, {db::param(id), db::param("1")});
    if (i == 3) return tenancy::TenantTx::read_one(pool, *b, kHalfQualified);
    return tenancy::TenantTx::read_one(pool, *b, kDivide, {db::param(id), db::param("4")});
  });
  for (int i = 0; i < 6; ++i) {
    if (i == 1) {
      EXPECT_THROW(std::rethrow_exception(std::get<1>(out[i])), tenancy::TenantInactive);
    } else if (i == 3) {
      try {
        std::rethrow_exception(std::get<1>(out[i]));
      } catch (const tenancy::TenantInactive&) {
        ADD_FAILURE() << "an unqualified table name was taken for a deleted tenant";
      } catch (const db::DbError& e) {
        EXPECT_EQ(e.sqlstate(), "42P01");
      }
    } else {
      ASSERT_EQ(out[i].index(), 0u) << i << ": " << error_of(out[i]);
      EXPECT_EQ(std::get<0>(out[i]).get(0, 0), "25");
    }
  }
}

// A caller that gives up (request deadline, client gone) gets operation_aborted at once; the
// statement still runs, its result is dropped, and the others on the connection are unaffected.
// A statement past statement_timeout fails alone, by the server's cancel.
TEST_F(SharedReadsTest, CancelledCallersAndSlowStatementsAffectNobodyElse) {
  auto a = make_tenant("A");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *a, id, "{}");
  auto& pool = shared_pool(256, 300ms);
  using namespace asio::experimental::awaitable_operators;
  auto out = concurrently(4, [&](int i) -> asio::awaitable<db::Result> {
    // i = 0 gives up after 50 ms on a 0.2 s read; i = 2 runs past the 300 ms statement_timeout.
    db::Params params{db::param(id), db::param(i == 0 ? "0.2" : i == 2 ? "2" : "0")};
    auto read = tenancy::TenantTx::read_one(pool, *a, kSlowRead, std::move(params));
    if (i != 0) co_return co_await std::move(read);
    asio::steady_timer t(ioc_, 50ms);
    auto r = co_await (std::move(read) || t.async_wait(asio::use_awaitable));
    if (r.index() == 1) throw std::runtime_error("gave up");
    co_return std::get<0>(std::move(r));
  });
  EXPECT_EQ(error_of(out[0]), "gave up");
  EXPECT_THROW(std::rethrow_exception(std::get<1>(out[2])), db::QueryTimeout);
  ASSERT_EQ(out[1].index(), 0u) << error_of(out[1]);
  ASSERT_EQ(out[3].index(), 0u) << error_of(out[3]);
  EXPECT_EQ(std::get<0>(out[1]).get(0, 0), std::get<0>(out[3]).get(0, 0));  // one backend
  EXPECT_EQ(pool.shared_reads()->stats().connections, 1u);
}

// The backend killed with statements in flight: exactly those fail (ConnectionError), and the
// next read opens a fresh connection and succeeds.
TEST_F(SharedReadsTest, AKilledConnectionFailsOnlyWhatWasInFlight) {
  auto a = make_tenant("A");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *a, id, "{}");
  auto& pool = shared_pool();
  auto first =
      run(tenancy::TenantTx::read_one(pool, *a, kSlowRead, {db::param(id), db::param("0")}));
  const std::string backend(first.get(0, 0));
  static constexpr db::CoreQuery kKill{"sr_kill", "SELECT pg_terminate_backend($1::int)::text"};
  auto out = concurrently(5, [&](int i) -> asio::awaitable<db::Result> {
    if (i != 0) {
      db::Params params{db::param(id), db::param("1")};
      co_return co_await tenancy::TenantTx::read_one(pool, *a, kSlowRead, std::move(params));
    }
    // Kills the shared backend while the others sleep on it.
    auto tx = co_await db::CoreTx::begin(*pool_);
    asio::steady_timer t(ioc_, 100ms);
    co_await t.async_wait(asio::use_awaitable);
    db::Params params{db::param(backend)};
    co_return co_await tx.commit_with(kKill, std::move(params));
  });
  ASSERT_EQ(out[0].index(), 0u) << error_of(out[0]);
  for (int i = 1; i < 5; ++i)
    EXPECT_THROW(std::rethrow_exception(std::get<1>(out[i])), db::ConnectionError) << i;
  auto after =
      run(tenancy::TenantTx::read_one(pool, *a, kSlowRead, {db::param(id), db::param("0")}));
  EXPECT_NE(std::string(after.get(0, 0)), backend);
  EXPECT_EQ(pool.shared_reads()->stats().connections, 2u);
}

// Off (or with prepared statements off, behind an old PgBouncer): reads take pooled connections.
TEST_F(SharedReadsTest, OffMeansPooledConnections) {
  auto a = make_tenant("A");
  const std::string id = util::uuid_v4();
  insert_content(*pool_, *a, id, R"({"owner": "A"})");
  for (bool prepared : {true, false}) {
    db::PoolOptions o;
    o.conninfo = conninfo_;
    o.size = 1;
    o.use_prepared = prepared;
    o.shared_reads = !prepared ? true : false;
    db::Pool pool(ioc_.get_executor(), o);
    EXPECT_EQ(pool.shared_reads(), nullptr);
    content::ContentService service(pool);
    auto json = boost::json::parse(run(service.get(*a, id)));
    EXPECT_EQ(json.at("inspiration_data").at("owner").as_string(), "A");
    EXPECT_EQ(pool.stats().open, 1);
  }
}
