#pragma once
// Per-tenant rate limiting (docs/api.md): GCRA at the tenant's requests_per_hour with
// a burst of the same size; O(1) state per tenant (its theoretical arrival time, TAT).
// Implementations: InProcessRateLimiter (embedded mode, and the fallback) and RedisRateLimiter
// (shared by every API node). Implementations are thread-safe.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "cache/prefetched.h"

namespace autoblog::ratelimit {

struct Decision {
  bool allowed = true;
  std::int64_t limit = 0;       // X-RateLimit-Limit: requests per hour (= burst)
  std::int64_t remaining = 0;   // X-RateLimit-Remaining: requests allowed right now after this one
  std::int64_t reset_seconds = 0;        // X-RateLimit-Reset: seconds until the full burst is back
  std::int64_t retry_after_seconds = 0;  // when denied: whole seconds until one request is allowed
                                         // (ceil, >= 1)
  // check_and_read only, and only when the limiter could read the entry in the decision's own
  // round trip and the request is allowed.
  std::optional<cache::Prefetched> prefetched;
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one request for `tenant_id` against `requests_per_hour` (> 0) and decides.
  virtual boost::asio::awaitable<Decision> check(std::string_view tenant_id,
                                                 std::int64_t requests_per_hour) = 0;
  // check(), and the tenant-cache entry `cache_key` (unless empty) read in the same round trip
  // when the limiter can (Decision::prefetched). This one answers without it: the in-process
  // limiter has no round trip to share, and a cache in the same process is no cheaper to read
  // here.
  virtual boost::asio::awaitable<Decision> check_and_read(std::string_view tenant_id,
                                                          std::int64_t requests_per_hour,
                                                          std::string_view cache_key);
  // The decision check() would make, made now, for a limiter that needs no round trip for it
  // (counted the same way); nullopt from one that does, which must then be asked with check().
  // Lets the middleware start no coroutine for a decision it can have at once.
  virtual std::optional<Decision> check_at_once(std::string_view tenant_id,
                                                std::int64_t requests_per_hour);
};

}  // namespace autoblog::ratelimit
