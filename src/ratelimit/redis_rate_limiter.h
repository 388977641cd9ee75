#pragma once
// The rate limiter shared by every API node (docs/api.md and docs/operations.md): the GCRA runs
// inside Redis as one Lua script call per request (EVALSHA), with Redis TIME as the clock, so nodes
// with skewed clocks still enforce one budget per tenant. State per tenant is one key,
// `rl:{tenant_id}`, holding "<TAT>:<limit>": the theoretical arrival time (microseconds) and the
// limit it was computed with, so that a changed limit rescales the TAT as gcra.h's rescale_tat
// does; it expires once the bucket would be full again, so idle tenants cost no memory.
//
// check_and_read also reads one tenant-cache entry (cache::RedisCache's key, `t:{tenant_id}:{key}`)
// inside the same script call, when the request is allowed: one command and one round trip for
// the decision and the cache lookup of a request. (Both keys are in one script call, so a
// Redis Cluster would need them in one hash slot; the client talks to a single server.)
//
// When Redis fails (down, timing out, or any other error), the decision comes from `fallback` (the
// node's in-process limiter) instead of failing the request: a warning is logged once per outage
// (and an info line when Redis is back), and `on_fallback` is called for every such decision so
// that the caller can count it in a metric. The Redis client's circuit breaker keeps this path
// free of added latency during an outage.
//
// Thread-safety: thread-safe (Client and fallback are). Ownership: holds references to `client`
// and `fallback`, which must outlive it; `on_fallback` must be thread-safe.
#include <atomic>
#include <functional>

#include "ratelimit/rate_limiter.h"
#include "redis/client.h"

namespace autoblog::ratelimit {

class RedisRateLimiter : public RateLimiter {
 public:
  RedisRateLimiter(redis::Client& client, RateLimiter& fallback,
                   std::function<void()> on_fallback = {});

  // Throws std::invalid_argument when requests_per_hour <= 0; never throws for Redis problems.
  boost::asio::awaitable<Decision> check(std::string_view tenant_id,
                                         std::int64_t requests_per_hour) override;
  // As check(); with a `cache_key`, Decision::prefetched is set whenever Redis answered and the
  // request is allowed.
  // On a fallback to the in-process limiter nothing is read (the caller asks the cache, which
  // fails fast while Redis is down).
  boost::asio::awaitable<Decision> check_and_read(std::string_view tenant_id,
                                                  std::int64_t requests_per_hour,
                                                  std::string_view cache_key) override;

  // The Lua source (exposed for tests and for operators reading docs).
  static const std::string& script_source();

 private:
  redis::Client& client_;
  RateLimiter& fallback_;
  std::function<void()> on_fallback_;
  redis::Script script_;
  std::atomic<bool> degraded_{false};  // true from the first fallback until Redis answers again
};

}  // namespace autoblog::ratelimit
