#include "ratelimit/rate_limiter.h"

namespace autoblog::ratelimit {

boost::asio::awaitable<Decision> RateLimiter::check_and_read(std::string_view tenant_id,
                                                             std::int64_t requests_per_hour,
                                                             std::string_view /*cache_key*/) {
  return check(tenant_id, requests_per_hour);  // its awaitable as is: no frame of its own
}

std::optional<Decision> RateLimiter::check_at_once(std::string_view /*tenant_id*/,
                                                   std::int64_t /*requests_per_hour*/) {
  return std::nullopt;
}

}  // namespace autoblog::ratelimit
