// Integration tests of the Redis client, the Redis rate limiter and the Redis cache against a real
// redis-server (AUTOBLOG_TEST_REDIS_URL, started by the test script); those tests skip when it is
// not set. URL parsing and the outage behaviour need no server (nothing listening, or a fake
// server in this file) and always run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cache/redis_cache.h"
#include "ratelimit/redis_rate_limiter.h"
#include "redis/client.h"
#include "redis/connection.h"
#include "redis_support.h"
#include "util/event_loop.h"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using autoblog::cache::RedisCache;
using autoblog::ratelimit::Decision;
using autoblog::ratelimit::RateLimiter;
using autoblog::ratelimit::RedisRateLimiter;
using autoblog::redis::Client;
using autoblog::redis::ClientOptions;
using autoblog::redis::RedisError;
using autoblog::redis::RedisUnavailable;
using autoblog::redis::Reply;
using autoblog::redis::Script;
using Clock = std::chrono::steady_clock;
using autoblog::redis_test::cmd;
using autoblog::redis_test::dead_port;
using autoblog::redis_test::FakeLimiter;
using autoblog::redis_test::options_for;
using autoblog::redis_test::run_on;
using autoblog::redis_test::run_on_two_threads;
using autoblog::redis_test::sleep_for;
using autoblog::redis_test::test_redis_url;
using autoblog::redis_test::unique;
using autoblog::redis_test::views;

namespace {

// A server that accepts connections on `port`; with `answer_ping` it replies +PONG to each PING
// it sees, otherwise it never replies (a hung Redis).
asio::awaitable<void> fake_server(unsigned short port, bool answer_ping,
                                  std::shared_ptr<std::atomic<int>> accepted) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::acceptor acceptor(ex);
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen();
  for (;;) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    ++*accepted;
    asio::co_spawn(
        ex,
        [s = std::move(socket), answer_ping]() mutable -> asio::awaitable<void> {
          char buf[4096];
          for (;;) {
            auto [ec, n] =
                co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            if (!answer_ping) continue;
            std::string_view data(buf, n);
            std::string out;
            for (auto pos = data.find("PING"); pos != std::string_view::npos;
                 pos = data.find("PING", pos + 4)) {
              out += "+PONG\r\n";
            }
            co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
          }
        },
        asio::detached);
  }
}

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test_redis_url().empty()) GTEST_SKIP() << "AUTOBLOG_TEST_REDIS_URL not set";
    client_ = std::make_unique<Client>(ioc_.get_executor(), options_for(test_redis_url()));
  }
  template <class T>
  T run(asio::awaitable<T> task) {
    return run_on(ioc_, std::move(task));
  }
  Reply command(std::vector<std::string> args) { return run(client_->command(std::move(args))); }

  asio::io_context ioc_{1};  // declared first: destroyed after the clients bound to it
  std::unique_ptr<Client> client_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// No server needed.

TEST(RedisUrl, ParsesEveryPart) {
  auto u = autoblog::redis::parse_redis_url("redis://localhost");
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 6379);
  EXPECT_EQ(u.db, 0);
  EXPECT_TRUE(u.user.empty());
  EXPECT_TRUE(u.password.empty());

  u = autoblog::redis::parse_redis_url("redis://app:p%40ss%3Aw@10.0.0.5:6380/3");
  EXPECT_EQ(u.host, "10.0.0.5");
  EXPECT_EQ(u.port, 6380);
  EXPECT_EQ(u.db, 3);
  EXPECT_EQ(u.user, "app");
  EXPECT_EQ(u.password, "p@ss:w");

  u = autoblog::redis::parse_redis_url("redis://:secret@[::1]:7000/");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 7000);
  EXPECT_EQ(u.password, "secret");
  EXPECT_TRUE(u.user.empty());
  EXPECT_TRUE(u.socket_path.empty());
  EXPECT_EQ(autoblog::redis::describe(u), "::1:7000");
}

TEST(RedisUrl, UnixSocketWithDatabaseAndCredentials) {
  auto u = autoblog::redis::parse_redis_url("unix:///run/redis/redis.sock");
  EXPECT_EQ(u.socket_path, "/run/redis/redis.sock");
  EXPECT_TRUE(u.host.empty());
  EXPECT_EQ(u.db, 0);
  EXPECT_EQ(autoblog::redis::describe(u), "unix:/run/redis/redis.sock");

  u = autoblog::redis::parse_redis_url("unix://app:p%40ss@/var/run/my%20redis.sock?db=4");
  EXPECT_EQ(u.socket_path, "/var/run/my redis.sock");
  EXPECT_EQ(u.db, 4);
  EXPECT_EQ(u.user, "app");
  EXPECT_EQ(u.password, "p@ss");
}

TEST(RedisUrl, RejectsMalformedWithoutLeakingThePassword) {
  for (const std::string& bad :
       std::vector<std::string>{"",
                                "localhost:6379",
                                "http://localhost",
                                "rediss://localhost",
                                "redis://",
                                "redis://:hunter2@",
                                "redis://host:0",
                                "redis://host:65536",
                                "redis://host:63a",
                                "redis://host/x",
                                "redis://host/1?timeout=3",
                                "redis://hunter2@host",
                                "redis://::1:6379",
                                "redis://[::1",
                                "redis://:pw%zz@host",
                                "redis://ho st",
                                "unix://",
                                "unix://:hunter2@",
                                "unix://host/x.sock",
                                "unix://:hunter2@host:1/x.sock",
                                "unix:///x.sock?db=x",
                                "unix:///x.sock?timeout=3",
                                "unix:///x.sock?db",
                                "unix:///x.sock#f",
                                "unix:///a%0Ab",
                                "unix://:hunter2@/" + std::string(120, 'a')}) {
    try {
      autoblog::redis::parse_redis_url(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(Client(asio::io_context().get_executor(), options_for("nope")),
               std::invalid_argument);
}

TEST(RedisEncoding, EvalshaIsTheSameCommandAsTheArgumentList) {
  using autoblog::redis::detail::encode;
  using autoblog::redis::detail::encode_evalsha;
  std::vector<std::string> keys = {"rl:t1", std::string("k\0\r\n", 4)};
  std::vector<std::string> args = {"500", std::string(300, 'x'), ""};
  std::vector<std::string> all = {"EVALSHA", "0123abcd", "2"};
  all.insert(all.end(), keys.begin(), keys.end());
  all.insert(all.end(), args.begin(), args.end());
  EXPECT_EQ(encode_evalsha("0123abcd", views(keys), views(args)), encode(all));
  EXPECT_EQ(encode_evalsha("ab", {}, {}), "*3\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n0\r\n");
  EXPECT_THROW(encode({}), std::invalid_argument);
}

TEST(RedisScript, Sha1IsLowercaseHex) {
  EXPECT_EQ(Script("").sha1(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Script("return 1").source(), "return 1");
}

TEST(RedisOutage, FailsFastWhileTheCircuitIsOpen) {
  asio::io_context ioc{1};
  auto opts = options_for("redis://127.0.0.1:" + std::to_string(dead_port()));
  opts.retry_interval = 2000ms;
  Client client(ioc.get_executor(), opts);
  EXPECT_TRUE(client.available());
  run_on(ioc, [&]() -> asio::awaitable<void> {
    auto start = Clock::now();
    EXPECT_THROW(co_await client.command(cmd("PING")), RedisUnavailable);
    EXPECT_LT(Clock::now() - start, opts.connect_timeout + 100ms);
    EXPECT_FALSE(client.available());
    for (int i = 0; i < 50; ++i) {
      auto t0 = Clock::now();
      bool unavailable = false;
      try {
        co_await client.command(cmd("GET", "k"));
      } catch (const RedisUnavailable&) {
        unavailable = true;
      }
      EXPECT_TRUE(unavailable);
      EXPECT_LT(Clock::now() - t0, 50ms);
    }
  }());
}

TEST(RedisOutage, ProbesAfterRetryIntervalAndRecovers) {
  asio::io_context ioc{1};
  const auto port = dead_port();
  auto opts = options_for("redis://127.0.0.1:" + std::to_string(port));
  opts.retry_interval = 300ms;
  Client client(ioc.get_executor(), opts);
  auto accepted = std::make_shared<std::atomic<int>>(0);
  run_on(ioc, [&]() -> asio::awaitable<void> {
    EXPECT_THROW(co_await client.command(cmd("PING")), RedisUnavailable);
    // Redis comes back; the circuit is still open, so nobody tries to connect yet.
    asio::co_spawn(ioc, fake_server(port, true, accepted), asio::detached);
    EXPECT_THROW(co_await client.command(cmd("PING")), RedisUnavailable);
    co_await sleep_for(50ms);
    EXPECT_EQ(accepted->load(), 0);
    EXPECT_FALSE(client.available());
    co_await sleep_for(300ms);
    auto reply = co_await client.command(cmd("PING"));  // the probe
    EXPECT_EQ(reply.type, Reply::Type::kStatus);
    EXPECT_EQ(reply.str, "PONG");
    EXPECT_TRUE(client.available());
    EXPECT_EQ(accepted->load(), 1);
    reply = co_await client.command(cmd("PING"));  // the connection is reused
    EXPECT_EQ(reply.str, "PONG");
    EXPECT_EQ(accepted->load(), 1);
  }());
}

TEST(RedisOutage, CommandTimeoutOpensTheCircuit) {
  asio::io_context ioc{1};
  const auto port = dead_port();
  auto opts = options_for("redis://127.0.0.1:" + std::to_string(port));
  opts.command_timeout = 100ms;
  Client client(ioc.get_executor(), opts);
  auto accepted = std::make_shared<std::atomic<int>>(0);
  asio::co_spawn(ioc, fake_server(port, false, accepted), asio::detached);
  run_on(ioc, [&]() -> asio::awaitable<void> {
    auto start = Clock::now();
    EXPECT_THROW(co_await client.command(cmd("PING")), RedisUnavailable);
    auto took = Clock::now() - start;
    EXPECT_GE(took, 90ms);
    EXPECT_LT(took, 1000ms);
    EXPECT_FALSE(client.available());
    start = Clock::now();
    EXPECT_THROW(co_await client.command(cmd("PING")), RedisUnavailable);
    EXPECT_LT(Clock::now() - start, 50ms);
  }());
}

TEST(RedisOutage, RateLimiterFallsBackToInProcess) {
  asio::io_context ioc{1};
  Client client(ioc.get_executor(),
                options_for("redis://127.0.0.1:" + std::to_string(dead_port())));
  FakeLimiter fallback;
  std::atomic<int> fallbacks{0};
  RedisRateLimiter limiter(client, fallback, [&] { ++fallbacks; });
  for (int i = 0; i < 3; ++i) {
    auto start = Clock::now();
    auto d = run_on(ioc, limiter.check("tenant-a", 500));
    EXPECT_LT(Clock::now() - start, 300ms);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 12345);
    EXPECT_EQ(d.limit, 500);
  }
  EXPECT_EQ(fallbacks.load(), 3);
  EXPECT_EQ(fallback.calls.load(), 3);

  // Decisions asked for together are one batch: when it fails, every caller in it falls back.
  std::vector<std::optional<Decision>> got(7);
  const std::vector<std::string> tenants{"tenant-0", "tenant-1", "tenant-2"};  // outlive the calls
  for (std::size_t i = 0; i < got.size(); ++i) {
    asio::co_spawn(ioc, limiter.check_and_read(tenants[i % 3], 500, "brand"),
                   [&got, i](std::exception_ptr e, Decision d) {
                     if (!e) got[i] = std::move(d);
                   });
  }
  ioc.restart();
  ioc.run_for(5s);
  for (const auto& d : got) {
    ASSERT_TRUE(d);
    EXPECT_EQ(d->remaining, 12345);  // the fallback's decision
    EXPECT_FALSE(d->prefetched);
  }
  EXPECT_EQ(fallback.calls.load(), 3 + 7);
  EXPECT_EQ(fallbacks.load(), 3 + 7);
}

TEST(RedisOutage, CacheDegradesToMissesAndNoOps) {
  asio::io_context ioc{1};
  Client client(ioc.get_executor(),
                options_for("redis://127.0.0.1:" + std::to_string(dead_port())));
  RedisCache cache(client);
  EXPECT_NO_THROW(run_on(ioc, cache.set("t1", "k", "v", 60s)));
  EXPECT_EQ(run_on(ioc, cache.get("t1", "k")), std::nullopt);
  EXPECT_NO_THROW(run_on(ioc, cache.del("t1", "k")));
  EXPECT_NO_THROW(run_on(ioc, cache.clear_tenant("t1")));
  EXPECT_EQ(run_on(ioc, cache.count_entries("t1")), 0);
  EXPECT_FALSE(run_on(ioc, cache.ping()));
}

// ---------------------------------------------------------------------------------------------
// Against the real server.

TEST_F(RedisTest, CommandRoundTrip) {
  const auto key = unique("it:rt:");
  EXPECT_EQ(command(cmd("PING")).str, "PONG");
  EXPECT_EQ(command(cmd("PING")).type, Reply::Type::kStatus);
  EXPECT_EQ(command(cmd("GET", key)).type, Reply::Type::kNil);

  // Binary-safe, including CR LF and NUL, and large enough to need several reads.
  std::string value("a\r\nb\0c", 6);
  value += std::string(200000, 'x');
  EXPECT_EQ(command(cmd("SET", key, value, "EX", "60")).str, "OK");
  auto got = command(cmd("GET", key));
  EXPECT_EQ(got.type, Reply::Type::kString);
  EXPECT_EQ(got.str, value);

  auto n = command(cmd("INCRBY", key + ":n", "41"));
  n = command(cmd("INCR", key + ":n"));
  EXPECT_EQ(n.type, Reply::Type::kInteger);
  EXPECT_EQ(n.integer, 42);

  command(cmd("RPUSH", key + ":l", "one", "", "three"));
  auto list = command(cmd("LRANGE", key + ":l", "0", "-1"));
  ASSERT_EQ(list.type, Reply::Type::kArray);
  ASSERT_EQ(list.elements.size(), 3u);
  EXPECT_EQ(list.elements[1].str, "");
  EXPECT_EQ(list.elements[2].str, "three");

  try {
    command(cmd("INCR", key));  // not an integer
    ADD_FAILURE() << "no RedisError";
  } catch (const RedisError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("ERR", 0), 0u) << e.what();
  }
  EXPECT_TRUE(client_->available());  // an error reply is not an outage
  EXPECT_EQ(command(cmd("PING")).str, "PONG");
  command(cmd("DEL", key, key + ":n", key + ":l"));
}

TEST_F(RedisTest, ManyConcurrentCoroutinesOnTwoThreads) {
  client_.reset();
  asio::io_context ioc{2};
  Client client(ioc.get_executor(), options_for(test_redis_url()));
  const auto counter = unique("it:conc:");
  constexpr int kCoroutines = 32, kRounds = 50;
  std::atomic<int> failures{0};
  const int threw = run_on_two_threads(ioc, kCoroutines, [&](int c) -> asio::awaitable<void> {
    const std::string mine = counter + ":" + std::to_string(c);
    for (int i = 0; i < kRounds; ++i) {
      co_await client.command(cmd("INCR", counter));
      co_await client.command(cmd("SET", mine, std::to_string(i), "EX", "60"));
      auto got = co_await client.command(cmd("GET", mine));
      if (got.str != std::to_string(i)) ++failures;  // a reply meant for someone else
    }
  });
  EXPECT_EQ(threw, 0);
  EXPECT_EQ(failures.load(), 0);
  auto total = run_on(ioc, client.command(cmd("GET", counter)));
  EXPECT_EQ(total.str, std::to_string(kCoroutines * kRounds));
  run_on(ioc, client.command(cmd("DEL", counter)));
}

TEST_F(RedisTest, EvalReloadsTheScriptAfterNoscript) {
  Script script("return {KEYS[1], ARGV[1]}");
  auto loaded = command(cmd("SCRIPT", "LOAD", script.source()));
  EXPECT_EQ(loaded.str, script.sha1());  // our SHA1 is the one Redis uses

  auto reply = run(client_->eval(script, views(cmd("k1")), views(cmd("a1"))));
  ASSERT_EQ(reply.elements.size(), 2u);
  EXPECT_EQ(reply.elements[0].str, "k1");
  EXPECT_EQ(reply.elements[1].str, "a1");

  command(cmd("SCRIPT", "FLUSH"));
  reply = run(client_->eval(script, views(cmd("k2")), views(cmd("a2"))));
  ASSERT_EQ(reply.elements.size(), 2u);
  EXPECT_EQ(reply.elements[0].str, "k2");
  EXPECT_EQ(reply.elements[1].str, "a2");

  EXPECT_THROW(run(client_->eval(Script("return redis.call('NOPE')"), {}, {})), RedisError);
}

TEST_F(RedisTest, GcraAllowsTheBurstThenDenies) {
  FakeLimiter fallback;
  std::atomic<int> fallbacks{0};
  RedisRateLimiter limiter(*client_, fallback, [&] { ++fallbacks; });
  const auto tenant = unique("tenant-");
  std::vector<Decision> decisions;
  const auto start = Clock::now();
  run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 501; ++i) decisions.push_back(co_await limiter.check(tenant, 500));
  }());
  // Retry-After = ceil(7.2 s - time since the first request): 8 unless the burst took >= 0.2 s.
  const bool quick = Clock::now() - start < 200ms;
  int allowed = 0;
  for (int i = 0; i < 500; ++i) allowed += decisions[i].allowed;
  EXPECT_EQ(allowed, 500);
  EXPECT_EQ(decisions[0].remaining, 499);
  EXPECT_EQ(decisions[0].limit, 500);
  EXPECT_EQ(decisions[0].reset_seconds, 8);  // ceil(7.2 s): one request's worth used
  EXPECT_EQ(decisions[499].remaining, 0);
  const auto& denied = decisions[500];
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0);
  EXPECT_GE(denied.retry_after_seconds, 1);
  EXPECT_LE(denied.retry_after_seconds, 8);
  if (quick) {
    EXPECT_EQ(denied.retry_after_seconds, 8);  // ceil(7.2 s - time spent)
  }
  EXPECT_GE(denied.reset_seconds, 3590);
  EXPECT_LE(denied.reset_seconds, 3600);

  // The bucket key expires once the bucket would be full again (+1 s).
  auto pttl = command(cmd("PTTL", "rl:" + tenant));
  EXPECT_GT(pttl.integer, 3590 * 1000);
  EXPECT_LE(pttl.integer, 3601 * 1000);

  // Another tenant has its own budget.
  auto other = run(limiter.check(unique("tenant-"), 500));
  EXPECT_TRUE(other.allowed);
  EXPECT_EQ(other.remaining, 499);
  EXPECT_EQ(fallbacks.load(), 0);
  EXPECT_EQ(fallback.calls.load(), 0);
  command(cmd("DEL", "rl:" + tenant));
}

TEST_F(RedisTest, TwoNodesShareOneBudget) {
  Client other_client(ioc_.get_executor(), options_for(test_redis_url()));
  FakeLimiter fallback;
  RedisRateLimiter node_a(*client_, fallback);
  RedisRateLimiter node_b(other_client, fallback);
  const auto tenant = unique("tenant-");
  int allowed_a = 0, allowed_b = 0;
  run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 300; ++i) {
      allowed_a += (co_await node_a.check(tenant, 500)).allowed;
      allowed_b += (co_await node_b.check(tenant, 500)).allowed;
    }
  }());
  EXPECT_EQ(allowed_a + allowed_b, 500);
  EXPECT_EQ(allowed_a, 250);
  EXPECT_EQ(fallback.calls.load(), 0);
  command(cmd("DEL", "rl:" + tenant));
}

TEST_F(RedisTest, DecisionReadsTheCacheEntryInTheSameCall) {
  FakeLimiter fallback;
  RedisRateLimiter limiter(*client_, fallback);
  RedisCache cache(*client_);
  const auto tenant = unique("tenant-"), other = unique("tenant-");
  run(cache.set(tenant, "brand", "tenant's brand", 60s));
  run(cache.set(other, "brand", "other's brand", 60s));

  // A hit: the decision counts against the tenant's budget and carries the tenant's own entry.
  auto hit = run(limiter.check_and_read(tenant, 2, "brand"));
  EXPECT_TRUE(hit.allowed);
  EXPECT_EQ(hit.remaining, 1);
  ASSERT_TRUE(hit.prefetched);
  EXPECT_EQ(hit.prefetched->key, "brand");
  EXPECT_EQ(hit.prefetched->value, "tenant's brand");
  // A miss is known too (nullopt value), so the caller need not ask the cache again.
  auto miss = run(limiter.check_and_read(tenant, 2, "no-such-entry"));
  EXPECT_TRUE(miss.allowed);
  EXPECT_EQ(miss.remaining, 0);
  ASSERT_TRUE(miss.prefetched);
  EXPECT_EQ(miss.prefetched->key, "no-such-entry");
  EXPECT_EQ(miss.prefetched->value, std::nullopt);
  // Denied: no entry is read or handed over.
  auto denied = run(limiter.check_and_read(tenant, 2, "brand"));
  EXPECT_FALSE(denied.allowed);
  EXPECT_GE(denied.retry_after_seconds, 1);
  EXPECT_FALSE(denied.prefetched);
  // A plain check never carries one.
  EXPECT_FALSE(run(limiter.check(other, 2)).prefetched);
  auto others = run(limiter.check_and_read(other, 2, "brand"));
  ASSERT_TRUE(others.prefetched);
  EXPECT_EQ(others.prefetched->value, "other's brand");
  EXPECT_EQ(others.remaining, 0);
  EXPECT_EQ(fallback.calls.load(), 0);
  command(cmd("DEL", "rl:" + tenant, "rl:" + other));
  run(cache.clear_tenant(tenant));
  run(cache.clear_tenant(other));
}

TEST(RedisOutage, DecisionWithoutRedisReadsNoCacheEntry) {
  asio::io_context ioc{1};
  Client client(ioc.get_executor(),
                options_for("redis://127.0.0.1:" + std::to_string(dead_port())));
  FakeLimiter fallback;
  RedisRateLimiter limiter(client, fallback);
  auto d = run_on(ioc, limiter.check_and_read("tenant-a", 500, "brand"));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 12345);  // the fallback's decision
  EXPECT_FALSE(d.prefetched);     // so the caller asks the cache (a miss while Redis is down)
  EXPECT_EQ(fallback.calls.load(), 1);
}

TEST_F(RedisTest, CacheIsNamespacedPerTenant) {
  RedisCache cache(*client_);
  const auto a = unique("ta-"), b = unique("tb-");
  run(cache.set(a, "home", "A's page", 60s));
  run(cache.set(b, "home", "B's page", 60s));
  EXPECT_EQ(run(cache.get(a, "home")), "A's page");
  EXPECT_EQ(run(cache.get(b, "home")), "B's page");
  EXPECT_EQ(command(cmd("GET", "t:" + a + ":home")).str, "A's page");
  run(cache.del(a, "home"));
  EXPECT_EQ(run(cache.get(a, "home")), std::nullopt);
  EXPECT_EQ(run(cache.get(b, "home")), "B's page");
  EXPECT_TRUE(run(cache.ping()));
  run(cache.clear_tenant(b));
}

TEST_F(RedisTest, CacheEntriesExpire) {
  RedisCache cache(*client_);
  const auto t = unique("tt-");
  run(cache.set(t, "k", "v", 1s));
  EXPECT_EQ(run(cache.get(t, "k")), "v");
  run(sleep_for(1200ms));
  EXPECT_EQ(run(cache.get(t, "k")), std::nullopt);
}

TEST_F(RedisTest, ClearTenantRemovesOnlyThatTenant) {
  RedisCache cache(*client_);
  const auto a = unique("ca-"), b = unique("cb-");
  const std::string glob = a + "*";  // a hostile tenant id must not match `a`'s keys
  run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 1200; ++i) co_await cache.set(a, "k" + std::to_string(i), "v", 60s);
    for (int i = 0; i < 3; ++i) co_await cache.set(b, "k" + std::to_string(i), "v", 60s);
  }());
  EXPECT_GE(run(cache.count_entries(a)), 1200);  // SCAN may repeat a key during a rehash
  EXPECT_EQ(run(cache.count_entries(b)), 3);
  EXPECT_EQ(run(cache.count_entries(glob)), 0);
  run(cache.clear_tenant(glob));
  EXPECT_GE(run(cache.count_entries(a)), 1200);

  run(cache.clear_tenant(a));
  EXPECT_EQ(run(cache.count_entries(a)), 0);
  EXPECT_EQ(run(cache.get(a, "k7")), std::nullopt);
  EXPECT_EQ(run(cache.count_entries(b)), 3);
  EXPECT_EQ(run(cache.get(b, "k1")), "v");
  run(cache.clear_tenant(b));
}

TEST_F(RedisTest, ReconnectsAfterTheServerClosedAnIdleConnection) {
  auto id = command(cmd("CLIENT", "ID"));
  ASSERT_EQ(id.type, Reply::Type::kInteger);
  // The server drops our (only) connection, as an idle timeout or a restart would.
  EXPECT_EQ(
      command(cmd("CLIENT", "KILL", "ID", std::to_string(id.integer), "SKIPME", "no")).integer, 1);
  run(sleep_for(20ms));
  EXPECT_EQ(command(cmd("PING")).str, "PONG");
  EXPECT_TRUE(client_->available());
  EXPECT_NE(command(cmd("CLIENT", "ID")).integer, id.integer);
}

TEST_F(RedisTest, UrlSelectsTheDatabaseAndAuthenticates) {
  const auto key = unique("it:db:");
  auto base = autoblog::redis::parse_redis_url(test_redis_url());
  const std::string host = base.host + ":" + std::to_string(base.port);
  Client db1(ioc_.get_executor(), options_for("redis://" + host + "/1"));
  run(db1.command(cmd("SET", key, "in db 1", "EX", "60")));
  EXPECT_EQ(run(db1.command(cmd("GET", key))).str, "in db 1");
  EXPECT_EQ(command(cmd("GET", key)).type, Reply::Type::kNil);

  const auto user = unique("it_user_");
  command(cmd("ACL", "SETUSER", user, "on", ">s3cret:@/", "~*", "+@all"));
  Client authed(ioc_.get_executor(), options_for("redis://" + user + ":s3cret%3A%40%2F@" + host));
  EXPECT_EQ(run(authed.command(cmd("ACL", "WHOAMI"))).str, user);
  Client wrong(ioc_.get_executor(), options_for("redis://" + user + ":nope@" + host));
  const auto start = Clock::now();
  try {
    run(wrong.command(cmd("PING")));
    ADD_FAILURE() << "a wrong password was accepted";
  } catch (const RedisUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("refused the handshake"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - start, 150ms) << "a refused handshake fails at once, not at the timeout";
  command(cmd("ACL", "DELUSER", user));
  run(db1.command(cmd("DEL", key)));
}

// ---------------------------------------------------------------------------------------------
// Auto-pipelining: many commands in flight per connection, replies matched in order.

TEST_F(RedisTest, OneWriteCarriesEveryCommandOfAnEventLoopTurn) {
  auto opts = options_for(test_redis_url());
  opts.pool_size = 1;
  Client client(ioc_.get_executor(), opts);
  EXPECT_EQ(run(client.command(cmd("PING"))).str, "PONG");  // connected
  const auto before = client.stats().writes;
  const auto totals_before = client.stats();
  EXPECT_EQ(totals_before.commands_total, 1u);  // the PING (the handshake is not counted)
  EXPECT_EQ(totals_before.writes_total, 1u);
  const auto prefix = unique("it:turn:");
  constexpr int kCommands = 100;
  std::vector<std::string> got(kCommands);
  std::atomic<int> done{0};
  // All started before the io_context runs: they queue their commands in the same turn.
  for (int i = 0; i < kCommands; ++i) {
    asio::co_spawn(
        ioc_,
        [&, i]() -> asio::awaitable<void> {
          auto r = co_await client.command(cmd("SET", prefix + std::to_string(i), "v", "EX", "60"));
          got[i] = r.str;
        },
        [&](std::exception_ptr) { ++done; });
  }
  run([&]() -> asio::awaitable<void> {
    while (done.load() < kCommands) co_await sleep_for(1ms);
  }());
  for (int i = 0; i < kCommands; ++i) EXPECT_EQ(got[i], "OK") << i;
  EXPECT_EQ(client.stats().writes - before, 1u) << "100 commands of one turn in one write";
  EXPECT_EQ(client.stats().connections, 1);
  EXPECT_EQ(client.stats().pending, 0u);
  EXPECT_EQ(client.stats().commands_total, 1u + kCommands);
  EXPECT_EQ(client.stats().writes_total, 2u);
}

// Many coroutines on two threads, each with its own keys and values of many sizes (some split
// over several reads), checked reply by reply: a reply handed to the wrong caller shows up as a
// wrong value.
TEST_F(RedisTest, RepliesNeverCrossBetweenConcurrentCallers) {
  client_.reset();
  asio::io_context ioc{2};
  auto opts = options_for(test_redis_url());
  opts.pool_size = 2;
  // About crossing, not deadlines: megabytes in flight per connection take a while under a
  // sanitizer.
  opts.command_timeout = 10s;
  Client client(ioc.get_executor(), opts);
  const auto prefix = unique("it:cross:");
  Script echo("return {KEYS[1], ARGV[1]}");
  constexpr int kCoroutines = 200, kRounds = 20;
  std::atomic<int> done{0}, mismatches{0}, errors{0};
  std::mutex first_mutex;
  std::string first_mismatch;
  auto mismatch = [&](const std::string& what) {
    ++mismatches;
    std::lock_guard lock(first_mutex);
    if (first_mismatch.empty()) first_mismatch = what;
  };
  for (int c = 0; c < kCoroutines; ++c) {
    asio::co_spawn(
        asio::make_strand(ioc),
        [&, c]() -> asio::awaitable<void> {
          const std::string key = prefix + std::to_string(c);
          for (int r = 0; r < kRounds; ++r) {
            std::string value = key + "/" + std::to_string(r) + "/";
            value.append(static_cast<std::size_t>((c * 7919 + r * 104729) % 40000), 'a' + c % 26);
            co_await client.command(cmd("SET", key, value, "EX", "60"));
            auto got = co_await client.command(cmd("GET", key));
            if (got.str != value) mismatch("GET " + key + " round " + std::to_string(r));
            auto n = co_await client.command(cmd("INCR", key + ":n"));
            if (n.integer != r + 1)
              mismatch("INCR " + key + ":n gave " + std::to_string(n.integer));
            const std::string round = std::to_string(r);
            const std::array<std::string_view, 1> echo_keys{key}, echo_args{round};
            auto e = co_await client.eval(echo, echo_keys, echo_args);
            if (e.elements.size() != 2 || e.elements[0].str != key ||
                e.elements[1].str != std::to_string(r)) {
              mismatch("EVAL " + key);
            }
          }
          co_await client.command(cmd("DEL", key, key + ":n"));
        },
        [&](std::exception_ptr e) {
          if (e) ++errors;
          ++done;
        });
  }
  // Two threads tagged as two event loops: each has its own connection (lane).
  std::thread other([&] {
    autoblog::util::set_current_loop(1);
    ioc.run();
  });
  ioc.run();
  other.join();
  EXPECT_EQ(done.load(), kCoroutines);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0) << first_mismatch;
  const auto stats = client.stats();
  EXPECT_LE(stats.connections, 2);
  // 200 callers, 16 000 commands: pipelined, far fewer writes than commands.
  EXPECT_LT(stats.writes, static_cast<std::uint64_t>(kCoroutines * kRounds * 4) / 2);
  EXPECT_TRUE(client.available());
}

// A caller cancelled while its command is in flight (a request deadline) gets operation_aborted
// at once; its reply, when it comes, is dropped — the commands behind it get their own replies,
// and the connection and the circuit are unaffected.
TEST_F(RedisTest, CancelledCallersReplyIsDroppedNotHandedOn) {
  auto opts = options_for(test_redis_url());
  opts.pool_size = 1;
  Client client(ioc_.get_executor(), opts);
  const auto key = unique("it:cancel:");
  run(client.command(cmd("SET", key, "mine", "EX", "60")));
  const auto id = run(client.command(cmd("CLIENT", "ID"))).integer;
  asio::cancellation_signal cancel;
  std::optional<boost::system::error_code> cancelled_with;
  Clock::time_point cancelled_at{};
  // BLPOP holds the connection's reply stream for 300 ms (it answers nil); the GET behind it on
  // the same connection is answered only after that.
  asio::co_spawn(
      ioc_,
      [&]() -> asio::awaitable<void> {
        co_await client.command(cmd("BLPOP", key + ":empty", "0.3"));
        ADD_FAILURE() << "the cancelled BLPOP completed normally";
      },
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
        cancelled_at = Clock::now();
        try {
          if (e) std::rethrow_exception(e);
        } catch (const boost::system::system_error& se) {
          cancelled_with = se.code();
        } catch (...) {
        }
      }));
  const auto start = Clock::now();
  auto results = run([&]() -> asio::awaitable<std::vector<Reply>> {
    auto get_later = [&]() -> asio::awaitable<Reply> {
      co_return co_await client.command(cmd("GET", key));
    };
    co_await sleep_for(50ms);
    cancel.emit(asio::cancellation_type::terminal);
    std::vector<Reply> out;
    out.push_back(co_await get_later());
    out.push_back(co_await client.command(cmd("ECHO", "after")));
    co_return out;
  }());
  ASSERT_TRUE(cancelled_with.has_value());
  EXPECT_EQ(*cancelled_with, asio::error::operation_aborted);
  EXPECT_LT(cancelled_at - start, 200ms) << "the cancelled caller must not wait for its reply";
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].type, Reply::Type::kString);  // not BLPOP's nil
  EXPECT_EQ(results[0].str, "mine");
  EXPECT_EQ(results[1].str, "after");
  EXPECT_GE(Clock::now() - start, 250ms) << "the GET was queued behind the BLPOP";
  EXPECT_TRUE(client.available());
  EXPECT_EQ(run(client.command(cmd("CLIENT", "ID"))).integer, id) << "the connection was kept";
  run(client.command(cmd("DEL", key)));
}

// The server drops the connection while commands are in flight on it: exactly those fail
// (RedisUnavailable, quickly), another client's connection is untouched, and after the retry
// interval the client reconnects and answers correctly.
TEST_F(RedisTest, ConnectionKilledMidPipelineFailsOnlyItsCommandsAndRecovers) {
  auto opts = options_for(test_redis_url());
  opts.pool_size = 1;
  opts.retry_interval = 200ms;
  opts.command_timeout = 5000ms;
  Client client(ioc_.get_executor(), opts);
  const auto key = unique("it:kill:");
  const auto id = run(client.command(cmd("CLIENT", "ID"))).integer;
  constexpr int kBehind = 20;
  std::atomic<int> unavailable{0}, other{0}, done{0};
  Clock::time_point start = Clock::now();
  std::atomic<std::int64_t> slowest_ms{0};
  auto track = [&](std::exception_ptr e) {
    try {
      if (e) std::rethrow_exception(e);
      ++other;
    } catch (const RedisUnavailable&) {
      ++unavailable;
    } catch (...) {
      ++other;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    if (ms > slowest_ms) slowest_ms = ms;
    ++done;
  };
  // BLPOP blocks the connection server-side for 3 s; the INCRs queue behind it, unexecuted.
  asio::co_spawn(ioc_, client.command(cmd("BLPOP", key + ":empty", "3")),
                 [&](std::exception_ptr e, Reply) { track(e); });
  for (int i = 0; i < kBehind; ++i) {
    asio::co_spawn(ioc_, client.command(cmd("INCR", key)),
                   [&](std::exception_ptr e, Reply) { track(e); });
  }
  run([&]() -> asio::awaitable<void> {
    co_await sleep_for(100ms);  // all written and waiting on the server
    EXPECT_EQ(client.stats().pending, static_cast<std::size_t>(kBehind + 1));
    start = Clock::now();
    auto killed =
        co_await client_->command(cmd("CLIENT", "KILL", "ID", std::to_string(id), "SKIPME", "yes"));
    EXPECT_EQ(killed.integer, 1);
    while (done.load() < kBehind + 1) co_await sleep_for(5ms);
  }());
  EXPECT_EQ(unavailable.load(), kBehind + 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_LT(slowest_ms.load(), 1000) << "in-flight commands must fail with the connection";
  EXPECT_EQ(command(cmd("GET", key)).type, Reply::Type::kNil) << "the INCRs never ran";
  EXPECT_TRUE(client_->available()) << "another client's connection is not affected";
  EXPECT_FALSE(client.available());

  run(sleep_for(250ms));
  EXPECT_EQ(run(client.command(cmd("INCR", key))).integer, 1);  // the probe, a new connection
  EXPECT_TRUE(client.available());
  EXPECT_NE(run(client.command(cmd("CLIENT", "ID"))).integer, id);
  // The running totals span both connections: CLIENT ID, BLPOP and the INCRs on the first, the
  // probe and CLIENT ID on the second.
  EXPECT_EQ(client.stats().commands_total, 1u + 1u + kBehind + 2u);
  EXPECT_GE(client.stats().writes_total, 3u);
  command(cmd("DEL", key));
}

// ---------------------------------------------------------------------------------------------
// Against a redis-server this test starts itself, so that it can kill or stop it.

namespace {

class OwnRedis {
 public:
  OwnRedis() : port_(dead_port()) {}
  ~OwnRedis() { kill_now(); }

  // False when redis-server is not on PATH (or does not start).
  bool start() {
    dir_ = "/tmp/abredis." + std::to_string(::getpid()) + "." + std::to_string(port_);
    std::filesystem::create_directories(dir_);
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port = std::to_string(port_);
      ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
               "--unixsocket", socket_path().c_str(), "--unixsocketperm", "700", "--save", "",
               "--appendonly", "no", "--dir", dir_.c_str(), "--logfile",
               (dir_ + "/redis.log").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      asio::io_context ioc;
      asio::ip::tcp::socket s(ioc);
      boost::system::error_code ec;
      s.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
      if (!ec) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(25ms);
    }
    return false;
  }
  void signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  std::string socket_path() const { return dir_ + "/redis.sock"; }

 private:
  unsigned short port_;
  pid_t pid_ = -1;
  std::string dir_;
};

// Runs `n` commands concurrently (GET of `prefix`+i after SET to a distinct value) and returns
// how many answered their own value; the rest failed.
int distinct_values_round_trip(asio::io_context& ioc, Client& client, const std::string& prefix,
                               int n) {
  return run_on(ioc, [&]() -> asio::awaitable<int> {
    auto ex = co_await asio::this_coro::executor;
    auto ok = std::make_shared<std::atomic<int>>(0);
    auto done = std::make_shared<std::atomic<int>>(0);
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(
          ex,
          [&client, prefix, i, ok]() -> asio::awaitable<void> {
            const std::string key = prefix + std::to_string(i), value = "value-" + key;
            co_await client.command(cmd("SET", key, value));
            if ((co_await client.command(cmd("GET", key))).str == value) ++*ok;
          },
          [done](std::exception_ptr) { ++*done; });
    }
    while (done->load() < n) co_await sleep_for(2ms);
    co_return ok->load();
  }());
}

}  // namespace

// A unix:// URL reaches the same server through its Unix socket, with the database selected in
// the handshake and commands pipelined as over TCP; a socket that is not there is an outage
// (RedisUnavailable naming the path), not a crash or a hang.
TEST(RedisOwnServer, UnixSocket) {
  OwnRedis redis;
  if (!redis.start()) GTEST_SKIP() << "redis-server not on PATH";
  asio::io_context ioc{1};
  Client over_socket(ioc.get_executor(), options_for("unix://" + redis.socket_path() + "?db=3"));
  Client over_tcp(ioc.get_executor(), options_for(redis.url() + "/3"));
  EXPECT_EQ(distinct_values_round_trip(ioc, over_socket, "u", 50), 50);
  // The same keys, in database 3, seen over TCP.
  EXPECT_EQ(run_on(ioc, over_tcp.command(cmd("GET", "u7"))).str, "value-u7");
  EXPECT_EQ(run_on(ioc, over_tcp.command(cmd("DBSIZE"))).integer, 50);
  // Pipelined: 50 SETs then 50 GETs went out in fewer writes than commands.
  EXPECT_LT(over_socket.stats().writes_total, over_socket.stats().commands_total);

  Client nowhere(ioc.get_executor(), options_for("unix://" + redis.socket_path() + ".missing"));
  try {
    run_on(ioc, nowhere.command(cmd("PING")));
    ADD_FAILURE() << "a missing socket answered";
  } catch (const autoblog::redis::RedisUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("unix:" + redis.socket_path() + ".missing"),
              std::string::npos)
        << e.what();
  }
}

// The server process dies with commands in flight: those fail at once (RedisUnavailable, so the
// limiter falls back and the cache misses), nothing hangs until a deadline, and once the server
// is back on the same port the client recovers by itself after the retry interval.
TEST(RedisOwnServer, RestartMidPipelineFailsInFlightThenRecovers) {
  OwnRedis redis;
  if (!redis.start()) GTEST_SKIP() << "redis-server not on PATH";
  asio::io_context ioc{1};
  auto opts = options_for(redis.url());
  opts.pool_size = 1;
  opts.retry_interval = 200ms;
  opts.command_timeout = 5000ms;
  Client client(ioc.get_executor(), opts);
  FakeLimiter fallback;
  RedisRateLimiter limiter(client, fallback);
  EXPECT_EQ(distinct_values_round_trip(ioc, client, "k", 50), 50);

  constexpr int kInFlight = 30;
  std::atomic<int> unavailable{0}, done{0};
  auto start = Clock::now();
  std::atomic<std::int64_t> slowest_ms{0};
  for (int i = 0; i < kInFlight; ++i) {
    // The first BLPOP holds the replies of the others on the server: all stay in flight.
    auto c = i == 0 ? cmd("BLPOP", "nothing", "4") : cmd("INCR", "n");
    asio::co_spawn(ioc, client.command(std::move(c)), [&](std::exception_ptr e, Reply) {
      try {
        if (e) std::rethrow_exception(e);
      } catch (const RedisUnavailable&) {
        ++unavailable;
      } catch (...) {
      }
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
      if (ms > slowest_ms) slowest_ms = ms;
      ++done;
    });
  }
  run_on(ioc, [&]() -> asio::awaitable<void> {
    co_await sleep_for(100ms);
    EXPECT_EQ(client.stats().pending, static_cast<std::size_t>(kInFlight));
    start = Clock::now();
    redis.kill_now();
    while (done.load() < kInFlight) co_await sleep_for(5ms);
  }());
  EXPECT_EQ(unavailable.load(), kInFlight);
  EXPECT_LT(slowest_ms.load(), 1000);
  EXPECT_FALSE(client.available());
  // Meanwhile the limiter decides in-process, without waiting.
  auto t0 = Clock::now();
  EXPECT_EQ(run_on(ioc, limiter.check("tenant", 100)).remaining, 12345);
  EXPECT_LT(Clock::now() - t0, 50ms);

  ASSERT_TRUE(redis.start());  // same port, empty
  run_on(ioc, sleep_for(250ms));
  // One call probes (the circuit lets only one through); then everyone uses Redis again.
  EXPECT_EQ(run_on(ioc, client.command(cmd("PING"))).str, "PONG");
  EXPECT_EQ(distinct_values_round_trip(ioc, client, "after", 100), 100);
  EXPECT_TRUE(client.available());
  EXPECT_EQ(run_on(ioc, limiter.check("tenant", 100)).remaining, 99);  // from Redis again
}

// A hung server (SIGSTOP): commands fail at their deadline, not later, the circuit opens and
// later calls fail fast; after SIGCONT the client recovers, and the replies the server finally
// sends for the timed-out commands reach no one (their connection was dropped).
TEST(RedisOwnServer, DeadlineExpiresWhileTheServerIsStopped) {
  OwnRedis redis;
  if (!redis.start()) GTEST_SKIP() << "redis-server not on PATH";
  asio::io_context ioc{1};
  auto opts = options_for(redis.url());
  opts.pool_size = 1;
  opts.retry_interval = 300ms;
  opts.command_timeout = 200ms;
  Client client(ioc.get_executor(), opts);
  EXPECT_EQ(distinct_values_round_trip(ioc, client, "k", 20), 20);

  redis.signal(SIGSTOP);
  std::atomic<int> unavailable{0}, done{0};
  const auto start = Clock::now();
  std::vector<std::chrono::milliseconds> took(10);
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(
        ioc, client.command(cmd("SET", "k" + std::to_string(i), "stale")),
        [&, i](std::exception_ptr e, Reply) {
          try {
            if (e) std::rethrow_exception(e);
          } catch (const RedisUnavailable&) {
            ++unavailable;
          } catch (...) {
          }
          took[i] = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
          ++done;
        });
  }
  run_on(ioc, [&]() -> asio::awaitable<void> {
    while (done.load() < 10) co_await sleep_for(5ms);
  }());
  EXPECT_EQ(unavailable.load(), 10);
  for (auto t : took) {
    EXPECT_GE(t, 190ms);
    EXPECT_LT(t, 700ms);
  }
  EXPECT_FALSE(client.available());
  auto t0 = Clock::now();
  EXPECT_THROW(run_on(ioc, client.command(cmd("PING"))), RedisUnavailable);
  EXPECT_LT(Clock::now() - t0, 50ms) << "fails fast while the circuit is open";

  redis.signal(SIGCONT);
  run_on(ioc, sleep_for(350ms));
  EXPECT_EQ(run_on(ioc, client.command(cmd("PING"))).str, "PONG");  // the probe
  // The stopped server did run the SETs once resumed, but the replies went to a closed socket;
  // each caller now gets its own value.
  EXPECT_EQ(distinct_values_round_trip(ioc, client, "k", 20), 20);
  EXPECT_TRUE(client.available());
}

// A request cancelled while its decision is in flight is just cancelled: no in-process fallback
// (it says nothing about Redis), no fallback metric.
TEST_F(RedisTest, CancelledDecisionDoesNotFallBack) {
  auto opts = options_for(test_redis_url());
  opts.pool_size = 1;
  Client client(ioc_.get_executor(), opts);
  FakeLimiter fallback;
  std::atomic<int> fallbacks{0};
  RedisRateLimiter limiter(client, fallback, [&] { ++fallbacks; });
  const auto key = unique("it:busy:");
  EXPECT_EQ(run(client.command(cmd("PING"))).str, "PONG");
  // BLPOP holds the connection's replies for 200 ms; the decision waits behind it.
  asio::co_spawn(ioc_, client.command(cmd("BLPOP", key, "0.2")), asio::detached);
  asio::cancellation_signal cancel;
  std::optional<boost::system::error_code> outcome;
  const auto tenant = unique("tenant-");  // outlives the call, which reads it when awaited
  asio::co_spawn(ioc_, limiter.check(tenant, 100),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, Decision) {
                   try {
                     if (e) std::rethrow_exception(e);
                     outcome = boost::system::error_code();
                   } catch (const boost::system::system_error& se) {
                     outcome = se.code();
                   } catch (...) {
                   }
                 }));
  run([&]() -> asio::awaitable<void> {
    co_await sleep_for(50ms);
    cancel.emit(asio::cancellation_type::terminal);
    while (!outcome) co_await sleep_for(1ms);
  }());
  EXPECT_EQ(*outcome, asio::error::operation_aborted);
  EXPECT_EQ(fallback.calls.load(), 0);
  EXPECT_EQ(fallbacks.load(), 0);
  EXPECT_TRUE(client.available());
}
