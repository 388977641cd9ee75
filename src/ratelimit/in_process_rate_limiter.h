#pragma once
// In-process GCRA rate limiter (docs/api.md): used in embedded mode and as the
// fallback when Redis is down. State is one TAT (int64 µs) per tenant, kept in 64 lock-sharded
// open-addressing tables keyed by the tenant UUID as 16 binary bytes (24 bytes a slot, no heap
// node per tenant), so 100 000 tenants fit in a few MB and one decision costs one uncontended
// mutex and one probe. Entries whose TAT has passed carry no information (a TAT <= now decides
// exactly like "never seen"), so they are dropped lazily when a shard fills up, before it grows:
// memory follows the tenants active in the last hour, not every tenant ever seen.
// Thread-safe: any method may be called concurrently. The clock is injected (tests drive a fake
// timeline) and must be monotonic and non-negative; it is called outside any lock.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

#include "ratelimit/rate_limiter.h"

namespace autoblog::ratelimit {

class InProcessRateLimiter : public RateLimiter {
 public:
  using Clock = std::function<std::int64_t()>;  // microseconds on a monotonic timeline

  // An empty `now_us` means std::chrono::steady_clock (wall-clock steps must not refill bursts).
  explicit InProcessRateLimiter(Clock now_us = {});

  InProcessRateLimiter(const InProcessRateLimiter&) = delete;
  InProcessRateLimiter& operator=(const InProcessRateLimiter&) = delete;

  boost::asio::awaitable<Decision> check(std::string_view tenant_id,
                                         std::int64_t requests_per_hour) override;

  // The same decision without a coroutine frame: never blocks beyond a shard mutex held for a
  // few nanoseconds, so it is safe on an I/O thread (benchmarks and the Redis fallback use it).
  // `tenant_id` is expected to be a canonical UUID (either case); any other string is still
  // limited correctly, keyed by a 128-bit hash of it.
  Decision check_now(std::string_view tenant_id, std::int64_t requests_per_hour);
  // check_now(): this limiter always decides at once.
  std::optional<Decision> check_at_once(std::string_view tenant_id,
                                        std::int64_t requests_per_hour) override;

  // Tenants currently holding state (including idle ones not yet swept).
  std::size_t tracked_tenants() const;

  // Drops every idle entry now (the lazy sweep does the same per shard when it fills up);
  // returns how many were dropped. For tests and for an optional periodic housekeeping timer.
  std::size_t sweep();

 private:
  struct Key {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
  };
  struct Slot {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::int64_t tat_us = 0;  // 0 = empty slot (a stored TAT is always > 0)
    std::int64_t limit = 0;   // the requests_per_hour the TAT was computed with
  };
  // Cache-line aligned so that threads working on different shards do not share lines.
  struct alignas(64) Shard {
    mutable std::mutex mu;
    std::vector<Slot> slots;  // capacity is a power of two; linear probing
    std::size_t size = 0;
  };
  static constexpr std::size_t kShardBits = 6;
  static constexpr std::size_t kShards = std::size_t{1} << kShardBits;

  static Key make_key(std::string_view tenant_id);
  static std::uint64_t hash(const Key& k);
  // Rebuilds `s` without the entries idle at `now_us`, resizing so the survivors use at most
  // 40% of the table (room to grow before the next rebuild). Caller holds s.mu.
  static std::size_t rebuild(Shard& s, std::int64_t now_us);
  static Slot* probe(Shard& s, const Key& k, std::uint64_t h);

  Clock now_us_;
  std::array<Shard, kShards> shards_;
};

}  // namespace autoblog::ratelimit
