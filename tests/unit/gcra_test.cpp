// Unit tests for ratelimit/gcra and InProcessRateLimiter, on a fake clock so that hours of
// traffic run in milliseconds and every boundary (7.2 s vs 7.1 s) is exact.
#include "ratelimit/gcra.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "ratelimit/in_process_rate_limiter.h"

namespace autoblog::ratelimit {
namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kHour = 3600 * kSecond;
constexpr std::int64_t kStarter = 500;
constexpr std::int64_t kGrowth = 2000;
constexpr std::int64_t kEnterprise = 10000;

std::string uuid(std::uint64_t n) {
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llx",
                static_cast<unsigned>(n * 2654435761u), static_cast<unsigned long long>(n));
  return buf;
}

// Starts far from 0 so that "TAT 0 = never seen" cannot hide an off-by-origin bug.
class FakeClock {
 public:
  void advance(std::int64_t us) { now_ += us; }
  InProcessRateLimiter::Clock fn() {
    return [this] { return now_.load(); };
  }

 private:
  std::atomic<std::int64_t> now_{1'700'000'000LL * kSecond};
};

TEST(Gcra, EmissionIntervalLetsExactlyTheLimitThroughInAnHour) {
  EXPECT_EQ(emission_interval_us(kStarter), 7'200'000);
  EXPECT_EQ(emission_interval_us(kGrowth), 1'800'000);
  EXPECT_EQ(emission_interval_us(kEnterprise), 360'000);
  for (std::int64_t limit : {1, 7, 499, 501, 3599, 9999, 123457}) {
    EXPECT_LE(limit * emission_interval_us(limit), kHour) << limit;
  }
}

TEST(Gcra, PureFunctionBurstThenDenied) {
  const std::int64_t now = 42 * kSecond;
  std::int64_t tat = 0;
  for (int i = 0; i < kStarter; ++i) {
    const GcraResult r = gcra(tat, now, kStarter);
    ASSERT_TRUE(r.allowed) << i;
    EXPECT_EQ(r.decision.remaining, kStarter - 1 - i);
    tat = r.new_tat_us;
  }
  EXPECT_EQ(tat, now + kHour);
  const GcraResult denied = gcra(tat, now, kStarter);
  EXPECT_FALSE(denied.allowed);
  EXPECT_FALSE(denied.decision.allowed);
  EXPECT_EQ(denied.new_tat_us, tat);
  EXPECT_EQ(denied.decision.remaining, 0);
  EXPECT_EQ(denied.decision.retry_after_seconds, 8);  // T = 7.2 s, rounded up
  EXPECT_EQ(denied.decision.reset_seconds, 3600);
  EXPECT_EQ(denied.decision.limit, kStarter);
}

TEST(Gcra, NonPositiveLimitIsTreatedAsOne) {
  const GcraResult first = gcra(0, kSecond, 0);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.decision.limit, 1);
  const GcraResult second = gcra(first.new_tat_us, kSecond, -5);
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.decision.retry_after_seconds, 3600);
}

TEST(InProcessRateLimiter, StarterBurstCountsDownThenDenies) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  const std::string t = uuid(1);
  for (int i = 0; i < kStarter; ++i) {
    const Decision d = rl.check_now(t, kStarter);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, kStarter);
    EXPECT_EQ(d.remaining, kStarter - 1 - i);
    EXPECT_EQ(d.retry_after_seconds, 0);
  }
  Decision d = rl.check_now(t, kStarter);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_EQ(d.retry_after_seconds, 8);
  EXPECT_EQ(d.reset_seconds, 3600);

  // Denied requests do not consume anything: 7.2 s later exactly one more passes.
  clock.advance(7'199'999);
  EXPECT_FALSE(rl.check_now(t, kStarter).allowed);
  clock.advance(1);
  d = rl.check_now(t, kStarter);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  d = rl.check_now(t, kStarter);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 8);
  clock.advance(kSecond);
  EXPECT_EQ(rl.check_now(t, kStarter).retry_after_seconds, 7);  // not a constant
}

TEST(InProcessRateLimiter, SteadyRateAtTheLimitPassesForever) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  const std::string fresh = uuid(2);
  const std::string drained = uuid(3);
  for (int i = 0; i < kStarter; ++i) ASSERT_TRUE(rl.check_now(drained, kStarter).allowed);
  // 100 000 requests = 200 hours of traffic at exactly the sustained rate.
  for (int i = 0; i < 100'000; ++i) {
    clock.advance(7'200'000);
    ASSERT_TRUE(rl.check_now(fresh, kStarter).allowed) << i;
    ASSERT_TRUE(rl.check_now(drained, kStarter).allowed) << i;
  }
}

TEST(InProcessRateLimiter, SteadyRateSlightlyAboveTheLimitIsEventuallyDenied) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  const std::string t = uuid(4);
  // Request n arrives at n·7.1 s while its cell is due at n·7.2 s: the backlog grows 0.1 s per
  // request and exceeds τ = 499·7.2 s = 3592.8 s at n = 35 929.
  int first_denied = -1;
  for (int n = 0; n < 40'000; ++n) {
    if (!rl.check_now(t, kStarter).allowed) {
      first_denied = n;
      break;
    }
    clock.advance(7'100'000);
  }
  EXPECT_EQ(first_denied, 35'929);
}

TEST(InProcessRateLimiter, IdleTenantRefills) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  const std::string t = uuid(5);
  auto drain = [&] {
    int n = 0;
    while (rl.check_now(t, kStarter).allowed) ++n;
    return n;
  };
  EXPECT_EQ(drain(), kStarter);
  clock.advance(360 * kSecond);  // a tenth of an hour → a tenth of the burst
  EXPECT_EQ(drain(), 50);
  clock.advance(kHour);
  const Decision first = rl.check_now(t, kStarter);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, kStarter - 1);
  EXPECT_EQ(first.reset_seconds, 8);  // ceil(7.2 s): one cell to win back
  EXPECT_EQ(drain(), kStarter - 1);
}

TEST(InProcessRateLimiter, RetryAfterDependsOnTheTier) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  const std::string growth = uuid(6);
  const std::string enterprise = uuid(7);
  for (int i = 0; i < kGrowth; ++i) ASSERT_TRUE(rl.check_now(growth, kGrowth).allowed);
  for (int i = 0; i < kEnterprise; ++i) ASSERT_TRUE(rl.check_now(enterprise, kEnterprise).allowed);
  const Decision g = rl.check_now(growth, kGrowth);
  EXPECT_FALSE(g.allowed);
  EXPECT_EQ(g.retry_after_seconds, 2);  // 1.8 s
  EXPECT_EQ(g.limit, kGrowth);
  const Decision e = rl.check_now(enterprise, kEnterprise);
  EXPECT_FALSE(e.allowed);
  EXPECT_EQ(e.retry_after_seconds, 1);  // 0.36 s, never 0
  EXPECT_EQ(e.limit, kEnterprise);
  EXPECT_EQ(e.reset_seconds, 3600);
}

TEST(InProcessRateLimiter, TenantsAreIndependent) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  const std::string a = uuid(8);
  const std::string b = uuid(9);
  for (int i = 0; i < kStarter; ++i) ASSERT_TRUE(rl.check_now(a, kStarter).allowed);
  EXPECT_FALSE(rl.check_now(a, kStarter).allowed);
  const Decision d = rl.check_now(b, kStarter);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, kStarter - 1);
  EXPECT_EQ(rl.tracked_tenants(), 2u);
}

TEST(InProcessRateLimiter, UuidCaseDoesNotMatterAndOtherIdsStillWork) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  EXPECT_TRUE(rl.check_now("0a1b2c3d-0000-4000-8000-00000000abcd", 1).allowed);
  EXPECT_FALSE(rl.check_now("0A1B2C3D-0000-4000-8000-00000000ABCD", 1).allowed);
  EXPECT_TRUE(rl.check_now("tenant-a", 1).allowed);
  EXPECT_TRUE(rl.check_now("tenant-b", 1).allowed);
  EXPECT_TRUE(rl.check_now("", 1).allowed);
  EXPECT_FALSE(rl.check_now("tenant-a", 1).allowed);
  EXPECT_FALSE(rl.check_now("", 1).allowed);
  EXPECT_EQ(rl.tracked_tenants(), 4u);
}

TEST(InProcessRateLimiter, EveryUuidDigitCountsAndNonHexIsNotConfusedWithHex) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  // Limit 1: a second request on the same key is denied, on a different key allowed.
  const std::string base = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(rl.check_now(base, 1).allowed);
  std::size_t distinct = 1;
  for (std::size_t pos = 0; pos < base.size(); ++pos) {
    if (base[pos] == '-') continue;
    for (const char c : std::string("123456789abcdef")) {
      std::string id = base;
      id[pos] = c;
      ASSERT_TRUE(rl.check_now(id, 1).allowed) << id;
      ++distinct;
      std::string upper = id;
      upper[pos] = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      ASSERT_FALSE(rl.check_now(upper, 1).allowed) << upper;  // same tenant as `id`
    }
  }
  EXPECT_EQ(rl.tracked_tenants(), distinct);
  // Characters next to the hex ranges must not decode as digits (they fall back to hashing).
  for (const char c : std::string("/:@G`g\x7f\x80\xff")) {
    std::string id = base;
    id[35] = c;
    EXPECT_TRUE(rl.check_now(id, 1).allowed) << static_cast<int>(c);
  }
  EXPECT_TRUE(rl.check_now("00000000_0000-0000-0000-000000000000", 1).allowed);
  EXPECT_TRUE(rl.check_now(base + "0", 1).allowed);
}

TEST(InProcessRateLimiter, ConcurrentChecksOnOneTenantAllowExactlyTheBurst) {
  FakeClock clock;  // frozen: nothing refills during the run
  InProcessRateLimiter rl(clock.fn());
  const std::string t = uuid(10);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&] {
      int mine = 0;
      for (int i = 0; i < 10'000; ++i) mine += rl.check_now(t, 1000).allowed ? 1 : 0;
      allowed += mine;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(InProcessRateLimiter, IdleTenantsAreSweptSoMemoryFollowsActiveTenants) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  std::vector<std::string> ids;
  for (int i = 0; i < 100'000; ++i) ids.push_back(uuid(1'000'000 + i));
  for (const std::string& id : ids) ASSERT_TRUE(rl.check_now(id, kStarter).allowed);
  EXPECT_EQ(rl.tracked_tenants(), 100'000u);
  EXPECT_EQ(rl.sweep(), 0u);  // nobody is idle yet: TAT = now + 7.2 s
  clock.advance(kHour + kSecond);
  EXPECT_EQ(rl.sweep(), 100'000u);
  EXPECT_EQ(rl.tracked_tenants(), 0u);
  // A swept tenant decides exactly like before the sweep: a full burst.
  EXPECT_EQ(rl.check_now(ids[0], kStarter).remaining, kStarter - 1);
}

TEST(InProcessRateLimiter, LazySweepBoundsStateUnderTenantChurn) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  // 400 000 distinct tenants, 100 per simulated second, each making one request: at any moment
  // only those of the last 7.2 s hold information, so state must not accumulate.
  std::size_t max_tracked = 0;
  for (int i = 0; i < 400'000; ++i) {
    ASSERT_TRUE(rl.check_now(uuid(5'000'000 + i), kStarter).allowed);
    if (i % 100 == 99) clock.advance(kSecond);
    if (i % 1000 == 999) max_tracked = std::max(max_tracked, rl.tracked_tenants());
  }
  EXPECT_LT(max_tracked, 10'000u) << "idle entries were not dropped";
}

TEST(InProcessRateLimiter, AsyncCheckReturnsTheSameDecision) {
  FakeClock clock;
  InProcessRateLimiter rl(clock.fn());
  RateLimiter& iface = rl;
  const std::string t = uuid(11);
  boost::asio::io_context io;
  std::vector<Decision> got;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) got.push_back(co_await iface.check(t, 2));
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].allowed);
  EXPECT_EQ(got[0].remaining, 1);
  EXPECT_TRUE(got[1].allowed);
  EXPECT_EQ(got[1].remaining, 0);
  EXPECT_FALSE(got[2].allowed);
  EXPECT_EQ(got[2].retry_after_seconds, 1800);
}

}  // namespace
}  // namespace autoblog::ratelimit

// An operator raising a tenant's limit mid-hour: the requests already counted stay counted, and
// the new headroom is available at once (not after the old backlog drains).
TEST(GcraRescale, RaisedLimitAppliesAtOnceKeepingTheCount) {
  using namespace autoblog::ratelimit;
  std::int64_t now = 1'000'000'000;
  std::int64_t tat = 0;
  for (int i = 0; i < 500; ++i) tat = gcra(tat, now, 500).new_tat_us;
  EXPECT_FALSE(gcra(tat, now, 500).allowed);
  auto rescaled = rescale_tat(tat, 500, now, 2000);
  auto r = gcra(rescaled, now, 2000);
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.decision.remaining, 2000 - 501);  // 500 counted + this one
  // Lowering it again keeps the fraction used (501 of 2000, about a quarter), not the count:
  // about a quarter of 100 is used, so 74 more pass (this one included), then 429.
  std::int64_t lowered = rescale_tat(r.new_tat_us, 2000, now, 100);
  int passed = 0;
  while (true) {
    auto d = gcra(lowered, now, 100);
    if (!d.allowed) break;
    lowered = d.new_tat_us;
    ++passed;
  }
  EXPECT_EQ(passed, 74);
  // Same limit or an idle tenant: unchanged.
  EXPECT_EQ(rescale_tat(tat, 500, now, 500), tat);
  EXPECT_EQ(rescale_tat(now - 5, 500, now, 2000), now - 5);
}

TEST(GcraRescale, InProcessLimiterFollowsALimitChange) {
  using namespace autoblog::ratelimit;
  std::int64_t now = 5'000'000'000;
  InProcessRateLimiter limiter([&] { return now; });
  const std::string tenant = "0b6f3b3e-8a59-4a2b-9d53-2f1b4c6d7e8f";
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(limiter.check_now(tenant, 500).allowed);
  EXPECT_FALSE(limiter.check_now(tenant, 500).allowed);
  auto d = limiter.check_now(tenant, 2000);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 2000 - 501);
}

// The case: a growth tenant that made 90 requests and is lowered to 5/hour has used
// 4.5 % of its burst, so it keeps 95 % of the new one instead of being told to wait 17 hours.
TEST(GcraRescale, LoweredLimitKeepsTheFractionOfTheBurstUsed) {
  using namespace autoblog::ratelimit;
  const std::int64_t now = 7'000'000'000;
  std::int64_t tat = 0;
  for (int i = 0; i < 90; ++i) tat = gcra(tat, now, 2000).new_tat_us;
  const std::int64_t rescaled = rescale_tat(tat, 2000, now, 5);
  // The backlog (90 × 1.8 s = 162 s) is unchanged: 162 s of a 3600 s window either way.
  EXPECT_EQ(rescaled - now, 90 * 1'800'000);
  auto r = gcra(rescaled, now, 5);
  ASSERT_TRUE(r.allowed);
  EXPECT_EQ(r.decision.remaining, 3);  // 4.5 % of 5 used, this one, 3 whole requests left
  int passed = 1;
  std::int64_t t = r.new_tat_us;
  for (;;) {
    auto d = gcra(t, now, 5);
    if (!d.allowed) {
      // The backlog is past the burst by the 162 s it started with: that is the wait.
      EXPECT_EQ(d.decision.retry_after_seconds, 162);
      break;
    }
    t = d.new_tat_us;
    ++passed;
  }
  EXPECT_EQ(passed, 4);
  // Fraction and count agree on the same limit: nothing changes.
  EXPECT_EQ(rescale_tat(tat, 2000, now, 2000), tat);
}

// A tenant that had used its whole burst and is lowered stays throttled, with a Retry-After of
// one new interval at most, never the new interval times the old count.
TEST(GcraRescale, ExhaustedTenantLoweredWaitsOneNewIntervalAtMost) {
  using namespace autoblog::ratelimit;
  const std::int64_t now = 9'000'000'000;
  std::int64_t tat = 0;
  for (int i = 0; i < 2000; ++i) tat = gcra(tat, now, 2000).new_tat_us;
  ASSERT_FALSE(gcra(tat, now, 2000).allowed);
  auto d = gcra(rescale_tat(tat, 2000, now, 5), now, 5);
  EXPECT_FALSE(d.allowed);
  EXPECT_LE(d.decision.retry_after_seconds, 720);
  EXPECT_GE(d.decision.retry_after_seconds, 719);
}

TEST(GcraRescale, InProcessLimiterKeepsTheFractionWhenLowered) {
  using namespace autoblog::ratelimit;
  std::int64_t now = 11'000'000'000;
  InProcessRateLimiter limiter([&] { return now; });
  const std::string tenant = "1c6f3b3e-8a59-4a2b-9d53-2f1b4c6d7e8f";
  for (int i = 0; i < 90; ++i) ASSERT_TRUE(limiter.check_now(tenant, 2000).allowed);
  std::vector<bool> allowed;
  for (int i = 0; i < 5; ++i) allowed.push_back(limiter.check_now(tenant, 5).allowed);
  EXPECT_EQ(allowed, (std::vector<bool>{true, true, true, true, false}));
  // 720 s later exactly one more request is allowed at the new rate.
  now += 720 * 1'000'000;
  EXPECT_TRUE(limiter.check_now(tenant, 5).allowed);
  EXPECT_FALSE(limiter.check_now(tenant, 5).allowed);
}
