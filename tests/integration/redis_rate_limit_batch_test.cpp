// The Redis rate limiter's batches (ratelimit/redis_rate_limiter.h) against a real redis-server
// (AUTOBLOG_TEST_REDIS_URL; skipped when unset): the decisions of one event-loop turn go out as
// one script call and come back exactly as one call per decision would have decided them, in
// arrival order per tenant, each with its own tenant's cache entry; a burst larger than one call
// is split; decisions asked for while a batch is out form the next one; a caller cancelled
// before its batch leaves costs nothing; callers on two threads share batches safely. (A failed
// batch falling back for every caller in it: RedisOutage.RateLimiterFallsBackToInProcess.)
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cache/redis_cache.h"
#include "ratelimit/redis_rate_limiter.h"
#include "redis/client.h"
#include "redis_support.h"

namespace {

using namespace autoblog::redis_test;  // asio, Decision, FakeLimiter, run_on, unique, ...
using autoblog::cache::RedisCache;
using autoblog::ratelimit::RedisRateLimiter;
using autoblog::redis::Client;

// One decision asked for, and what came back (a decision, or the exception's error code).
struct Outcome {
  std::optional<Decision> decision;
  std::optional<boost::system::error_code> error;
  bool done = false;
};

class RedisDecisionBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test_redis_url().empty()) GTEST_SKIP() << "AUTOBLOG_TEST_REDIS_URL not set";
    client_ = std::make_unique<Client>(ioc_.get_executor(), options_for(test_redis_url()));
    limiter_ = std::make_unique<RedisRateLimiter>(*client_, fallback_, [this] { ++fallbacks_; });
    // The connection is open, and the script loaded (a fresh server would answer NOSCRIPT and
    // cost a SCRIPT LOAD and a second EVALSHA), before each test counts commands.
    EXPECT_EQ(
        run_on(ioc_, client_->command(cmd("SCRIPT", "LOAD", RedisRateLimiter::script_source())))
            .str.size(),
        40u);
  }
  void TearDown() override {
    if (client_ && !keys_.empty()) {
      std::vector<std::string> del{"DEL"};
      del.insert(del.end(), keys_.begin(), keys_.end());
      run_on(ioc_, client_->command(del));
    }
  }
  std::string tenant() {
    auto t = unique("tenant-");
    keys_.push_back("rl:" + t);
    return t;
  }
  // Starts a decision on the io_context (it runs when the io_context next runs); `slot`, if
  // given, can cancel it.
  void ask(Outcome& out, const std::string& tenant, std::int64_t limit, std::string key = {},
           asio::cancellation_slot slot = {}) {
    asio::co_spawn(
        ioc_,
        [this, tenant, limit, key]() -> asio::awaitable<Decision> {
          auto decision = limiter_->check_and_read(tenant, limit, key);
          co_return co_await std::move(decision);
        },
        asio::bind_cancellation_slot(slot, [&out](std::exception_ptr e, Decision d) {
          out.done = true;
          if (!e) {
            out.decision = std::move(d);
            return;
          }
          try {
            std::rethrow_exception(e);
          } catch (const boost::system::system_error& se) {
            out.error = se.code();
          } catch (...) {
            out.error = boost::asio::error::fault;
          }
        }));
  }
  // Runs the io_context until `done` holds.
  void run_until(const std::function<bool()>& done) {
    ioc_.restart();
    while (!done()) ioc_.run_one_for(50ms);
  }
  static bool all_done(const std::vector<Outcome>& outs) {
    for (const auto& o : outs)
      if (!o.done) return false;
    return true;
  }
  std::uint64_t commands() const { return client_->stats().commands_total; }

  asio::io_context ioc_{1};  // declared first: destroyed after the clients bound to it
  std::unique_ptr<Client> client_;
  FakeLimiter fallback_;
  std::atomic<int> fallbacks_{0};
  std::unique_ptr<RedisRateLimiter> limiter_;
  std::vector<std::string> keys_;
};

TEST_F(RedisDecisionBatch, OneTurnIsOneScriptCallDecidedInArrivalOrderPerTenant) {
  RedisCache cache(*client_);
  const auto a = tenant(), b = tenant(), c = tenant();
  run_on(ioc_, cache.set(a, "brand", "a's brand", 60s));
  // Interleaved: a has limit 5 and asks 8 times with its brand; b (limit 100) 3 times without a
  // cache key; c (limit 3) 4 times for an entry it does not have.
  struct Ask {
    const std::string* tenant;
    std::int64_t limit;
    std::string key;
  };
  std::vector<Ask> asks;
  for (int i = 0; i < 8; ++i) {
    asks.push_back({&a, 5, "brand"});
    if (i < 3) asks.push_back({&b, 100, ""});
    if (i < 4) asks.push_back({&c, 3, "brand"});
  }
  std::vector<Outcome> outs(asks.size());
  const auto before = commands();
  for (std::size_t i = 0; i < asks.size(); ++i)
    ask(outs[i], *asks[i].tenant, asks[i].limit, asks[i].key);
  run_until([&] { return all_done(outs); });
  EXPECT_EQ(commands() - before, 1u) << "one script call for the whole turn";

  std::vector<std::int64_t> remaining_a, remaining_b, remaining_c;
  int denied_a = 0, denied_c = 0;
  for (std::size_t i = 0; i < asks.size(); ++i) {
    ASSERT_TRUE(outs[i].decision) << i;
    const Decision& d = *outs[i].decision;
    EXPECT_EQ(d.limit, asks[i].limit);
    if (asks[i].tenant == &a) {
      if (d.allowed) {
        remaining_a.push_back(d.remaining);
        ASSERT_TRUE(d.prefetched);
        EXPECT_EQ(d.prefetched->key, "brand");
        EXPECT_EQ(d.prefetched->value, "a's brand");  // its own tenant's entry, never another's
      } else {
        ++denied_a;
        EXPECT_EQ(d.remaining, 0);
        EXPECT_GE(d.retry_after_seconds, 1);
        EXPECT_LE(d.retry_after_seconds, 720);  // one request's worth at 5/hour
        EXPECT_FALSE(d.prefetched);
      }
    } else if (asks[i].tenant == &b) {
      EXPECT_TRUE(d.allowed);
      remaining_b.push_back(d.remaining);
      EXPECT_FALSE(d.prefetched);
    } else {
      if (d.allowed) {
        remaining_c.push_back(d.remaining);
        ASSERT_TRUE(d.prefetched);
        EXPECT_EQ(d.prefetched->value, std::nullopt);  // a miss, known without asking again
      } else {
        ++denied_c;
        EXPECT_FALSE(d.prefetched);
      }
    }
  }
  // In arrival order, exactly as one call per request would have answered.
  EXPECT_EQ(remaining_a, (std::vector<std::int64_t>{4, 3, 2, 1, 0}));
  EXPECT_EQ(denied_a, 3);
  EXPECT_EQ(remaining_b, (std::vector<std::int64_t>{99, 98, 97}));
  EXPECT_EQ(remaining_c, (std::vector<std::int64_t>{2, 1, 0}));
  EXPECT_EQ(denied_c, 1);

  // The batch left each bucket where those calls would have: a stays denied, b goes on at 96.
  Outcome next_a, next_b;
  ask(next_a, a, 5);
  ask(next_b, b, 100);
  run_until([&] { return next_a.done && next_b.done; });
  ASSERT_TRUE(next_a.decision && next_b.decision);
  EXPECT_FALSE(next_a.decision->allowed);
  EXPECT_EQ(next_b.decision->remaining, 96);
  EXPECT_EQ(fallback_.calls.load(), 0);
  EXPECT_EQ(fallbacks_.load(), 0);
  run_on(ioc_, cache.clear_tenant(a));
}

TEST_F(RedisDecisionBatch, ABurstLargerThanOneCallIsSplitAndStaysExact) {
  const auto t = tenant();
  const std::size_t n = 600;  // three calls of at most kMaxBatch (256)
  static_assert(RedisRateLimiter::kMaxBatch == 256);
  std::vector<Outcome> outs(n);
  const auto before = commands();
  for (auto& o : outs) ask(o, t, 500);
  run_until([&] { return all_done(outs); });
  EXPECT_EQ(commands() - before, 3u);
  std::int64_t expected = 499;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(outs[i].decision) << i;
    const Decision& d = *outs[i].decision;
    if (i < 500) {
      ASSERT_TRUE(d.allowed) << i;
      EXPECT_EQ(d.remaining, expected--) << i;
    } else {
      EXPECT_FALSE(d.allowed) << i;
      EXPECT_EQ(d.remaining, 0);
      EXPECT_GE(d.retry_after_seconds, 1);
      EXPECT_LE(d.retry_after_seconds, 8);  // ceil(7.2 s)
      EXPECT_GE(d.reset_seconds, 3590);
      EXPECT_LE(d.reset_seconds, 3600);
    }
  }
  EXPECT_EQ(outs[0].decision->reset_seconds, 8);  // one request's worth used: ceil(7.2 s)
}

TEST_F(RedisDecisionBatch, DecisionsAskedWhileABatchIsOutFormTheNextOne) {
  const auto t = tenant();
  const auto before = commands();
  Outcome first;
  ask(first, t, 100);
  // Until the first batch is on the wire (its reply not read yet: this thread runs the loop).
  run_until([&] { return commands() - before == 1 || first.done; });
  ASSERT_FALSE(first.done);
  std::vector<Outcome> later(5);
  for (auto& o : later) ask(o, t, 100);
  run_until([&] { return first.done && all_done(later); });
  EXPECT_EQ(commands() - before, 2u) << "the five waited and left together";
  ASSERT_TRUE(first.decision);
  EXPECT_EQ(first.decision->remaining, 99);
  std::int64_t expected = 98;
  for (const auto& o : later) {
    ASSERT_TRUE(o.decision);
    EXPECT_EQ(o.decision->remaining, expected--);
  }
}

TEST_F(RedisDecisionBatch, CallerCancelledBeforeItsBatchLeavesCostsNothing) {
  const auto t = tenant();
  const auto before = commands();
  asio::cancellation_signal cancel;
  Outcome cancelled;
  ask(cancelled, t, 100, {}, cancel.slot());
  // Runs after the decision was asked for and before its batch leaves (that was posted later).
  asio::post(ioc_, [&] { cancel.emit(asio::cancellation_type::terminal); });
  run_until([&] { return cancelled.done; });
  ASSERT_TRUE(cancelled.error);
  EXPECT_EQ(*cancelled.error, asio::error::operation_aborted);
  // Let the batch's sender run: it finds nobody to decide for.
  Outcome later;
  ask(later, unique("tenant-"), 100);
  run_until([&] { return later.done; });
  EXPECT_EQ(commands() - before, 1u) << "only the later decision was sent";
  EXPECT_EQ(run_on(ioc_, client_->command(cmd("EXISTS", "rl:" + t))).integer, 0)
      << "the cancelled request was not counted";
  EXPECT_EQ(fallback_.calls.load(), 0);
}

// Callers on two threads (strands of one io_context, so one slot): every decision is counted
// once, each tenant's allowed requests are exactly its limit, and none is decided twice.
TEST_F(RedisDecisionBatch, CallersOnTwoThreadsShareBatchesSafely) {
  asio::io_context ioc{2};
  Client client(ioc.get_executor(), options_for(test_redis_url()));
  RedisRateLimiter limiter(client, fallback_);
  constexpr int kTenants = 4, kCoroutines = 16, kRounds = 25, kLimit = 150;
  std::vector<std::string> tenants;
  for (int t = 0; t < kTenants; ++t) tenants.push_back(tenant());
  std::atomic<int> failures{0};
  std::vector<std::atomic<int>> allowed(kTenants);
  std::vector<std::vector<std::int64_t>> remaining(kCoroutines);  // each coroutine's own
  const int threw = run_on_two_threads(ioc, kCoroutines, [&](int c) -> asio::awaitable<void> {
    const std::string& mine = tenants[c % kTenants];
    for (int i = 0; i < kRounds; ++i) {
      auto asked = limiter.check(mine, kLimit);
      const Decision d = co_await std::move(asked);
      if (d.limit != kLimit) ++failures;
      if (d.allowed) {
        ++allowed[c % kTenants];
        remaining[c].push_back(d.remaining);
      }
    }
  });
  EXPECT_EQ(threw, 0);
  EXPECT_EQ(failures.load(), 0);
  // 4 coroutines × 25 rounds = 100 requests per tenant, all within its limit of 150.
  for (int t = 0; t < kTenants; ++t) EXPECT_EQ(allowed[t].load(), 100) << t;
  // Every `remaining` a tenant was told is distinct: no decision was handed out twice.
  for (int t = 0; t < kTenants; ++t) {
    std::vector<std::int64_t> all;
    for (int c = t; c < kCoroutines; c += kTenants)
      all.insert(all.end(), remaining[c].begin(), remaining[c].end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << t;
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front(), kLimit - 100);
    EXPECT_EQ(all.back(), kLimit - 1);
  }
  EXPECT_EQ(fallback_.calls.load(), 0);
}

}  // namespace
