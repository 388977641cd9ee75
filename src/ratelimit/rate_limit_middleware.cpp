#include "ratelimit/rate_limit_middleware.h"

#include "http/errors.h"
#include "observability/metrics.h"
#include "ratelimit/rate_limiter.h"
#include "tenancy/active_tenant.h"

namespace autoblog::ratelimit {

namespace {
void add_headers(http::NumberHeaders& headers, const Decision& d) {
  headers.add({"X-RateLimit-Limit", d.limit});
  headers.add({"X-RateLimit-Remaining", d.remaining});
  headers.add({"X-RateLimit-Reset", d.reset_seconds});
}

// Records the decision on the request (its headers go on every response to it, see
// http::Request::response_headers) and in the metrics; throws the 429 when denied.
void apply(Decision& decision, http::Request& req, observability::Metrics& metrics) {
  const auto& tenant_id = req.tenant->id();
  metrics.count_rate_limit(tenant_id, decision.allowed);
  // Requests counted in the current window (the GCRA's used burst) as the usage gauge.
  metrics.set_resource_usage(tenant_id, "requests_this_hour",
                             static_cast<double>(decision.limit - decision.remaining));
  add_headers(req.response_headers, decision);
  if (!decision.allowed) {
    http::RateLimited err("rate limit of " + std::to_string(req.tenant->limits().requests_per_hour) +
                          " requests per hour exceeded; retry in " +
                          std::to_string(decision.retry_after_seconds) + " s");
    err.with_header("Retry-After", std::to_string(decision.retry_after_seconds));
    throw err;
  }
  if (decision.prefetched) req.prefetched = std::move(decision.prefetched);
}

// A limiter with a round trip to make (Redis): the decision, then the handler.
boost::asio::awaitable<http::Response> decide_then_handle(RateLimiter& limiter,
                                                          observability::Metrics& metrics,
                                                          http::Request& req,
                                                          const http::Handler& next) {
  // A route whose handler starts with a cache lookup has it read along with the decision.
  auto decision = co_await limiter.check_and_read(
      req.tenant->id(), req.tenant->limits().requests_per_hour, req.prefetch_cache_key);
  apply(decision, req, metrics);
  co_return co_await next(req);
}
}  // namespace

http::Middleware rate_limit(RateLimiter& limiter, observability::Metrics& metrics) {
  return [&limiter, &metrics](http::Request& req,
                              const http::Handler& next) -> boost::asio::awaitable<http::Response> {
    // Health is never limited (docs/api.md), not even a tenant's own /health/tenant/{id}.
    if (req.audience != http::Audience::kTenant || !req.tenant || req.route.starts_with("/health"))
      return next(req);
    // Decided at once (the in-process limiter): no coroutine of this middleware's own; a 429
    // is thrown here, inside the caller's co_await, and reaches error_mapping as any other.
    if (auto decision =
            limiter.check_at_once(req.tenant->id(), req.tenant->limits().requests_per_hour)) {
      apply(*decision, req, metrics);
      return next(req);
    }
    return decide_then_handle(limiter, metrics, req, next);
  };
}

}  // namespace autoblog::ratelimit
