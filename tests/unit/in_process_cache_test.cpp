// Unit tests for cache/InProcessCache: tenant namespacing, TTL on a fake clock, O(1)
// clear_tenant through generations, the byte bound of the LRU, and count_entries.
#include "cache/in_process_cache.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace autoblog::cache {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::steady_clock::time_point;

// Runs one awaitable to completion on a private io_context: the in-process cache never
// suspends, so this is a plain synchronous call for the tests.
template <typename T>
T run(boost::asio::awaitable<T> aw) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) out = std::move(v);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

void run(boost::asio::awaitable<void> aw) {
  boost::asio::io_context io;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

class FakeClock {
 public:
  InProcessCache::Clock fn() {
    return [this] { return now_; };
  }
  void advance(std::chrono::steady_clock::duration d) { now_ += d; }

 private:
  TimePoint now_ = TimePoint{} + std::chrono::hours(1000);
};

constexpr char kA[] = "11111111-1111-4111-8111-111111111111";
constexpr char kB[] = "22222222-2222-4222-8222-222222222222";

TEST(InProcessCache, SameKeyInTwoTenantsHoldsTwoValues) {
  InProcessCache c(1 << 20);
  run(c.set(kA, "post:1", "alpha", seconds(60)));
  run(c.set(kB, "post:1", "beta", seconds(60)));
  EXPECT_EQ(run(c.get(kA, "post:1")), "alpha");
  EXPECT_EQ(run(c.get(kB, "post:1")), "beta");
  EXPECT_EQ(run(c.get(kA, "post:2")), std::nullopt);
  EXPECT_EQ(run(c.get("33333333-3333-4333-8333-333333333333", "post:1")), std::nullopt);
  // No prefix games: tenant "a:b" + key "c" is not tenant "a" + key "b:c".
  run(c.set("a:b", "c", "x", seconds(60)));
  EXPECT_EQ(run(c.get("a", "b:c")), std::nullopt);
  EXPECT_TRUE(run(c.ping()));
}

TEST(InProcessCache, SetReplacesAndDelRemoves) {
  InProcessCache c(1 << 20);
  run(c.set(kA, "k", "v1", seconds(60)));
  run(c.set(kA, "k", "v2", seconds(60)));
  EXPECT_EQ(run(c.get(kA, "k")), "v2");
  EXPECT_EQ(run(c.count_entries(kA)), 1);
  run(c.del(kA, "k"));
  EXPECT_EQ(run(c.get(kA, "k")), std::nullopt);
  run(c.del(kA, "k"));  // deleting a missing key is a no-op
  EXPECT_EQ(c.bytes_used(), 0u);
}

TEST(InProcessCache, EntriesExpireAfterTheirTtl) {
  FakeClock clock;
  InProcessCache c(1 << 20, clock.fn());
  run(c.set(kA, "short", "s", seconds(10)));
  run(c.set(kA, "long", "l", seconds(100)));
  clock.advance(seconds(9));
  EXPECT_EQ(run(c.get(kA, "short")), "s");
  EXPECT_EQ(run(c.count_entries(kA)), 2);
  clock.advance(seconds(1));  // exactly at expiry: gone
  EXPECT_EQ(run(c.get(kA, "short")), std::nullopt);
  EXPECT_EQ(run(c.get(kA, "long")), "l");
  EXPECT_EQ(run(c.count_entries(kA)), 1);
  clock.advance(seconds(90));
  EXPECT_EQ(run(c.count_entries(kA)), 0);
  EXPECT_EQ(c.bytes_used(), 0u);  // count_entries freed the expired entries
}

TEST(InProcessCache, HugeTtlDoesNotOverflowIntoThePast) {
  InProcessCache c(1 << 20);
  run(c.set(kA, "k", "v", seconds::max()));
  EXPECT_EQ(run(c.get(kA, "k")), "v");
}

TEST(InProcessCache, NonPositiveTtlStoresNothingAndDropsTheOldValue) {
  InProcessCache c(1 << 20);
  run(c.set(kA, "k", "old", seconds(60)));
  run(c.set(kA, "k", "new", seconds(0)));
  EXPECT_EQ(run(c.get(kA, "k")), std::nullopt);
  EXPECT_EQ(c.bytes_used(), 0u);
}

TEST(InProcessCache, ClearTenantLeavesOtherTenantsIntact) {
  InProcessCache c(1 << 20);
  for (int i = 0; i < 100; ++i) {
    run(c.set(kA, "k" + std::to_string(i), "a", seconds(60)));
    run(c.set(kB, "k" + std::to_string(i), "b", seconds(60)));
  }
  run(c.clear_tenant(kA));
  EXPECT_EQ(run(c.count_entries(kA)), 0);
  EXPECT_EQ(run(c.count_entries(kB)), 100);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(run(c.get(kA, "k" + std::to_string(i))), std::nullopt);
    EXPECT_EQ(run(c.get(kB, "k" + std::to_string(i))), "b");
  }
  // The tenant keeps working after a clear, and a second clear only drops the newer entries.
  run(c.set(kA, "k1", "again", seconds(60)));
  EXPECT_EQ(run(c.get(kA, "k1")), "again");
  EXPECT_EQ(run(c.count_entries(kA)), 1);
  run(c.clear_tenant(kA));
  EXPECT_EQ(run(c.get(kA, "k1")), std::nullopt);
  run(c.clear_tenant("44444444-4444-4444-8444-444444444444"));  // unknown tenant: no-op
  EXPECT_EQ(run(c.count_entries(kB)), 100);
}

TEST(InProcessCache, StaleGenerationEntriesAreFreedLazily) {
  const std::size_t per_entry = InProcessCache::kEntryOverhead + 2 + 10;
  InProcessCache c(10 * per_entry);
  for (int i = 0; i < 10; ++i) run(c.set(kA, "k" + std::to_string(i), "0123456789", seconds(60)));
  EXPECT_EQ(c.bytes_used(), 10 * per_entry);
  run(c.clear_tenant(kA));
  // Still charged (O(1) clear), but new entries push the stale ones out of the LRU first.
  EXPECT_EQ(c.bytes_used(), 10 * per_entry);
  for (int i = 0; i < 10; ++i) run(c.set(kB, "k" + std::to_string(i), "0123456789", seconds(60)));
  EXPECT_EQ(run(c.count_entries(kB)), 10);
  EXPECT_EQ(c.bytes_used(), 10 * per_entry);
}

TEST(InProcessCache, EvictsLeastRecentlyUsedToStayWithinMaxBytes) {
  const std::string value(100, 'v');
  const std::size_t per_entry = InProcessCache::kEntryOverhead + 3 + value.size();  // "kNN"
  const std::size_t max = 10 * per_entry + per_entry / 2;
  InProcessCache c(max);
  for (int i = 10; i < 20; ++i) run(c.set(kA, "k" + std::to_string(i), value, seconds(60)));
  EXPECT_EQ(run(c.count_entries(kA)), 10);
  EXPECT_TRUE(run(c.get(kA, "k10")).has_value());  // k10 becomes the most recent
  for (int i = 20; i < 25; ++i) {
    run(c.set(kB, "k" + std::to_string(i), value, seconds(60)));
    EXPECT_LE(c.bytes_used(), max);
  }
  // Five evicted: k11..k15 (the oldest), not k10 which was read.
  EXPECT_TRUE(run(c.get(kA, "k10")).has_value());
  for (int i = 11; i <= 15; ++i) EXPECT_FALSE(run(c.get(kA, "k" + std::to_string(i)))) << i;
  for (int i = 16; i < 20; ++i) EXPECT_TRUE(run(c.get(kA, "k" + std::to_string(i)))) << i;
  EXPECT_EQ(run(c.count_entries(kA)), 5);
  EXPECT_EQ(run(c.count_entries(kB)), 5);
  EXPECT_EQ(c.bytes_used(), 10 * per_entry);
}

TEST(InProcessCache, ValueLargerThanTheWholeCacheIsNotStored) {
  InProcessCache c(1024);
  run(c.set(kA, "small", "s", seconds(60)));
  run(c.set(kA, "big", std::string(2048, 'x'), seconds(60)));
  EXPECT_EQ(run(c.get(kA, "big")), std::nullopt);
  EXPECT_EQ(run(c.get(kA, "small")), "s");  // and nothing was evicted for it
  run(c.set(kA, "small", std::string(2048, 'x'), seconds(60)));
  EXPECT_EQ(run(c.get(kA, "small")), std::nullopt);  // the old value does not survive
  EXPECT_EQ(c.bytes_used(), 0u);
}

TEST(InProcessCache, CountEntriesCountsOnlyThatTenantsLiveEntries) {
  InProcessCache c(1 << 20);
  EXPECT_EQ(run(c.count_entries(kA)), 0);
  for (int i = 0; i < 7; ++i) run(c.set(kA, "k" + std::to_string(i), "v", seconds(60)));
  for (int i = 0; i < 3; ++i) run(c.set(kB, "k" + std::to_string(i), "v", seconds(60)));
  EXPECT_EQ(run(c.count_entries(kA)), 7);
  EXPECT_EQ(run(c.count_entries(kB)), 3);
  run(c.del(kA, "k0"));
  EXPECT_EQ(run(c.count_entries(kA)), 6);
}

TEST(InProcessCache, ConcurrentUseKeepsTheBound) {
  const std::size_t max = 64 * 1024;
  InProcessCache c(max);
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&c, th] {
      const std::string tenant = "tenant-" + std::to_string(th);
      for (int i = 0; i < 5000; ++i) {
        const std::string key = "k" + std::to_string(i % 500);
        run(c.set(tenant, key, std::string(static_cast<std::size_t>(i % 300), 'x'), seconds(60)));
        (void)run(c.get(tenant, key));
        if (i % 1000 == 0) run(c.clear_tenant(tenant));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(c.bytes_used(), max);
  EXPECT_GT(c.bytes_used(), 0u);
}

}  // namespace
}  // namespace autoblog::cache
