// The database pool split between event loops (db/pool.h): a caller takes a connection of its own
// loop's partition; when that partition has nothing free it borrows another loop's free
// connection instead of waiting; only when every connection is taken does it wait, and the
// configured size stays the limit for all partitions together.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "db/errors.h"
#include "test_database.h"
#include "util/event_loop.h"

using namespace autoblog;
using namespace autoblog::testing;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A second event loop on its own thread, tagged as loop 1 like the runtime's.
class SecondLoop {
 public:
  SecondLoop() : guard_(ioc_.get_executor()), thread_([this] {
      util::set_current_loop(1);
      ioc_.run();
    }) {}
  ~SecondLoop() {
    guard_.reset();
    thread_.join();
  }
  asio::io_context& io() { return ioc_; }

 private:
  asio::io_context ioc_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

asio::awaitable<std::string> backend_pid(db::PooledConnection& conn) {
  auto r = co_await conn->exec(db::Statement{"SELECT pg_backend_pid()::text", {}});
  co_return std::string(r.get(0, 0));
}

// The backend of the connection the pool lends the calling loop (given back at once).
asio::awaitable<std::string> lent_backend_pid(db::Pool& pool) {
  auto conn = co_await pool.acquire();
  co_return co_await backend_pid(conn);
}

}  // namespace

class PoolPartitionsTest : public DatabaseTest {
 protected:
  // Runs `task` on the second loop and waits for it, running loop 0 meanwhile (as the runtime
  // does): a connection borrowed across loops completes its waits on its own loop.
  std::string on_second_loop(SecondLoop& second, asio::awaitable<std::string> task) {
    auto done = asio::co_spawn(second.io(), std::move(task), asio::use_future);
    while (done.wait_for(0s) != std::future_status::ready) {
      ioc_.restart();
      ioc_.run_for(5ms);
    }
    return done.get();
  }

  std::unique_ptr<db::Pool> partitioned(SecondLoop& second, int size) {
    db::PoolOptions o{conninfo_, size, 300ms, 16, 5000ms, true, {}};
    return std::make_unique<db::Pool>(
        std::vector<asio::any_io_executor>{ioc_.get_executor(), second.io().get_executor()}, o);
  }
};

TEST_F(PoolPartitionsTest, EachLoopUsesItsOwnPartition) {
  SecondLoop second;
  auto pool = partitioned(second, 2);
  const auto first = run(lent_backend_pid(*pool));
  // Loop 1 finds partition 0's idle connection out of its reach: it opens its own.
  auto from_loop1 = on_second_loop(second, lent_backend_pid(*pool));
  EXPECT_NE(first, from_loop1);
  // Each loop gets its own connection back.
  EXPECT_EQ(run(lent_backend_pid(*pool)), first);
  EXPECT_EQ(on_second_loop(second, lent_backend_pid(*pool)), from_loop1);
  EXPECT_EQ(pool->stats().open, 2);
}

TEST_F(PoolPartitionsTest, BorrowsAnotherLoopsFreeConnectionBeforeWaitingAndKeepsTheTotal) {
  SecondLoop second;
  auto pool = partitioned(second, 2);
  auto outcome = run([&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    auto a = co_await pool->acquire();  // partition 0's only connection
    const auto t0 = std::chrono::steady_clock::now();
    auto b = co_await pool->acquire();  // partition 1's, borrowed: no wait
    out.push_back(std::chrono::steady_clock::now() - t0 < 250ms ? "no wait" : "waited");
    // The borrowed connection lives on the other loop and still answers here.
    const auto pid_a = co_await backend_pid(a);
    const auto pid_b = co_await backend_pid(b);
    out.push_back(pid_a != pid_b ? "two" : "one");
    try {
      auto c = co_await pool->acquire();  // all taken: waits, then gives up
      out.push_back("third granted");
    } catch (const db::PoolTimeout&) {
      out.push_back("timeout");
    }
    co_return out;
  }());
  EXPECT_EQ(outcome, (std::vector<std::string>{"no wait", "two", "timeout"}));
  auto s = pool->stats();
  EXPECT_EQ(s.size, 2);
  EXPECT_EQ(s.open, 2);
  EXPECT_EQ(s.in_use, 0);
}

TEST_F(PoolPartitionsTest, FewerConnectionsThanLoopsShareOnePartition) {
  SecondLoop second;
  auto pool = partitioned(second, 1);
  const auto here = run(lent_backend_pid(*pool));
  EXPECT_EQ(on_second_loop(second, lent_backend_pid(*pool)), here);
  EXPECT_EQ(pool->stats().size, 1);
}
