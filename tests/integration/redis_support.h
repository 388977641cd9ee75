#pragma once
// Helpers shared by the Redis integration tests (redis_test.cpp, redis_rate_limit_batch_test.cpp):
// the test server's URL, unique keys, running a coroutine to completion, and a stand-in for the
// in-process limiter. Header-only; test code only.
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <exception>
#include <cstdlib>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ratelimit/rate_limiter.h"
#include "redis/client.h"

namespace autoblog::redis_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using autoblog::ratelimit::Decision;
using autoblog::ratelimit::RateLimiter;
using autoblog::redis::ClientOptions;

inline std::string test_redis_url() {
  const char* u = std::getenv("AUTOBLOG_TEST_REDIS_URL");
  return u ? u : "";
}

// Keys and tenants are unique per run: tests may share one server, and it is not flushed.
inline std::string unique(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  return prefix + std::to_string(rng());
}

// Runs `task` on `ioc` until it completes (even if other work, e.g. a fake server, remains).
template <class T>
T run_on(asio::io_context& ioc, asio::awaitable<T> task) {
  auto future = asio::co_spawn(ioc, std::move(task), asio::use_future);
  ioc.restart();
  while (future.wait_for(0s) != std::future_status::ready) ioc.run_one_for(50ms);
  return future.get();
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

// Builds a command without a braced list, which GCC 12 miscompiles inside a co_await expression.
template <class... Parts>
std::vector<std::string> cmd(Parts&&... parts) {
  std::vector<std::string> out;
  (out.emplace_back(std::forward<Parts>(parts)), ...);
  return out;
}

// A command's parts as the views Client::eval takes (valid while `parts` is).
inline std::vector<std::string_view> views(const std::vector<std::string>& parts) {
  return {parts.begin(), parts.end()};
}

// A TCP port on which nothing listens (bound once by the kernel's choice, then released).
inline unsigned short dead_port() {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

inline ClientOptions options_for(std::string url) {
  ClientOptions o;
  o.url = std::move(url);
  return o;
}

// The in-process limiter stand-in: a recognisable decision, and a count of calls.
class FakeLimiter : public RateLimiter {
 public:
  asio::awaitable<Decision> check(std::string_view, std::int64_t requests_per_hour) override {
    ++calls;
    Decision d;
    d.allowed = true;
    d.limit = requests_per_hour;
    d.remaining = 12345;
    co_return d;
  }
  std::atomic<int> calls{0};
};

// Runs `body(0)` ... `body(coroutines - 1)` (each returning asio::awaitable<void>) on strands of
// `ioc`, run by two threads, until all are done; returns how many of them threw.
template <class Body>
int run_on_two_threads(asio::io_context& ioc, int coroutines, Body body) {
  std::atomic<int> done{0}, threw{0};
  for (int c = 0; c < coroutines; ++c) {
    asio::co_spawn(asio::make_strand(ioc), [&body, c] { return body(c); },
                   [&](std::exception_ptr e) {
                     if (e) ++threw;
                     ++done;
                   });
  }
  std::thread other([&] { ioc.run(); });
  ioc.run();
  other.join();
  return done.load() == coroutines ? threw.load() : coroutines;
}

}  // namespace autoblog::redis_test
