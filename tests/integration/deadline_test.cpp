// Deadlines and cancellation in the database layer: every transaction carries its statement
// timeout, a cancelled query is cancelled on the server and its connection discarded (the pool
// slot comes back), and connecting through a host list whose first host refuses works.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "db/connection.h"
#include "db/errors.h"
#include "db/transaction.h"
#include "test_database.h"

using namespace autoblog;
using namespace autoblog::testing;
namespace asio = boost::asio;
using namespace std::chrono_literals;

class DeadlineTest : public DatabaseTest {};

// The pool's statement_timeout is every pooled session's default; a transaction with another
// deadline (migrations) sets its own LOCAL one, which ends with it.
TEST_F(DeadlineTest, EveryTransactionRunsUnderItsStatementTimeout) {
  constexpr db::CoreQuery q{"t", "SELECT current_setting('statement_timeout')"};
  auto seen = run([&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    {
      auto tx = co_await db::CoreTx::begin(*pool_);  // the default: no SET LOCAL needed
      out.emplace_back((co_await tx.commit_with(q)).get(0, 0));
    }
    {
      auto tx = co_await db::CoreTx::begin(*pool_, 1234ms);
      out.emplace_back((co_await tx.commit_with(q)).get(0, 0));
    }
    auto conn = co_await pool_->acquire();  // the same (only) idle connection
    auto r = co_await conn->exec(db::Statement{"SELECT current_setting('statement_timeout')", {}});
    out.emplace_back(r.get(0, 0));
    co_return out;
  }());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "5s");  // PoolOptions' default of 5000 ms, set on the session at connect
  EXPECT_EQ(seen[1], "1234ms");
  EXPECT_EQ(seen[2], "5s") << "the LOCAL timeout leaked into the pooled connection";
}

TEST_F(DeadlineTest, ServerSideTimeoutIsAQueryTimeout) {
  bool timed_out = run([&]() -> asio::awaitable<bool> {
    auto tx = co_await db::CoreTx::begin(*pool_, 100ms);
    constexpr db::CoreQuery q{"sleep", "SELECT pg_sleep(5)"};
    try {
      co_await tx.commit_with(q);
    } catch (const db::QueryTimeout&) {
      co_return true;
    }
    co_return false;
  }());
  EXPECT_TRUE(timed_out);
}

TEST_F(DeadlineTest, CancelledQueryIsCancelledOnTheServerAndItsConnectionDiscarded) {
  asio::cancellation_signal cancel;
  bool aborted = false;
  auto sleeper = [&]() -> asio::awaitable<void> {
    auto tx = co_await db::CoreTx::begin(*pool_, 60000ms);
    constexpr db::CoreQuery q{"sleep", "SELECT pg_sleep(60) /* deadline_test */"};
    co_await tx.commit_with(q);
  };
  asio::co_spawn(ioc_, sleeper(),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
                   try {
                     if (e) std::rethrow_exception(e);
                   } catch (const boost::system::system_error& se) {
                     aborted = se.code() == asio::error::operation_aborted;
                   }
                 }));
  auto running = [&] {
    return query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%deadline_test */' "
                 "AND state = 'active' AND pid <> pg_backend_pid()");
  };
  // Drive the io_context until the query runs on the server, then cancel the coroutine.
  ioc_.restart();  // set-up ran it to completion
  auto until = std::chrono::steady_clock::now() + 10s;
  while (running() != "1" && std::chrono::steady_clock::now() < until) ioc_.run_for(20ms);
  ASSERT_EQ(running(), "1");
  cancel.emit(asio::cancellation_type::terminal);
  auto t0 = std::chrono::steady_clock::now();
  ioc_.run_for(1s);
  EXPECT_TRUE(aborted);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  until = std::chrono::steady_clock::now() + 10s;
  while (running() != "0" && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);  // the server's own progress, nothing to await here
  EXPECT_EQ(running(), "0") << "the server is still running the cancelled query";
  auto stats = pool_->stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.open, 0) << "the abandoned connection was kept";
  // The slot is usable again.
  auto one = run([&]() -> asio::awaitable<std::string> {
    auto tx = co_await db::CoreTx::begin(*pool_);
    constexpr db::CoreQuery q{"one", "SELECT 1"};
    auto r = co_await tx.commit_with(q);
    co_return std::string(r.get(0, 0));
  }());
  EXPECT_EQ(one, "1");
}

TEST_F(DeadlineTest, ConnectsThroughAHostListWhoseFirstHostRefuses) {
  // key=value form of the test database, with a refusing TCP host first; libpq replaces its
  // socket between the two attempts, and the descriptor wrapper must follow without touching
  // other sockets of the io_context (a stale wrapper deregistering a reused descriptor number).
  auto host_pos = conninfo_.find("host=");
  ASSERT_NE(host_pos, std::string::npos);
  std::string socket_dir = conninfo_.substr(host_pos + 5);
  socket_dir = socket_dir.substr(0, socket_dir.find('&'));
  std::string conninfo = "host=127.0.0.1," + socket_dir + " port=1,5432 user=autoblog dbname=" +
                         name_;
  asio::local::stream_protocol::socket a(ioc_), b(ioc_);
  asio::local::connect_pair(a, b);
  auto ok = run([&]() -> asio::awaitable<int> {
    int good = 0;
    std::array<char, 1> in{};
    for (int i = 0; i < 10; ++i) {
      auto conn = co_await db::Connection::connect(ioc_.get_executor(), conninfo, 5000ms);
      auto r = co_await conn->exec(db::Statement{"SELECT 1", {}});
      // A socket registered before the connects still gets its events.
      co_await asio::async_write(a, asio::buffer("x", 1), asio::use_awaitable);
      co_await asio::async_read(b, asio::buffer(in), asio::use_awaitable);
      good += (r.get(0, 0) == "1" && in[0] == 'x') ? 1 : 0;
    }
    co_return good;
  }());
  EXPECT_EQ(ok, 10);
}
