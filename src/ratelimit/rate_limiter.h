#pragma once
// Per-tenant rate limiting (docs/api.md): GCRA at the tenant's requests_per_hour with
// a burst of the same size; O(1) state per tenant (its theoretical arrival time, TAT).
// Implementations: InProcessRateLimiter (embedded mode, and the fallback) and RedisRateLimiter
// (shared by every API node). Implementations are thread-safe.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string_view>

namespace autoblog::ratelimit {

struct Decision {
  bool allowed = true;
  std::int64_t limit = 0;       // X-RateLimit-Limit: requests per hour (= burst)
  std::int64_t remaining = 0;   // X-RateLimit-Remaining: requests allowed right now after this one
  std::int64_t reset_seconds = 0;        // X-RateLimit-Reset: seconds until the full burst is back
  std::int64_t retry_after_seconds = 0;  // when denied: whole seconds until one request is allowed
                                         // (ceil, >= 1)
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one request for `tenant_id` against `requests_per_hour` (> 0) and decides.
  virtual boost::asio::awaitable<Decision> check(std::string_view tenant_id,
                                                 std::int64_t requests_per_hour) = 0;
};

}  // namespace autoblog::ratelimit
