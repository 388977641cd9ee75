#include "ratelimit/rate_limit_middleware.h"

#include "http/errors.h"
#include "observability/metrics.h"
#include "ratelimit/rate_limiter.h"
#include "tenancy/tenant.h"

namespace autoblog::ratelimit {

namespace {
void add_headers(http::Fields& headers, const Decision& d) {
  headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_seconds));
}
}  // namespace

http::Middleware rate_limit(RateLimiter& limiter, observability::Metrics& metrics) {
  return [&limiter, &metrics](http::Request& req,
                              const http::Handler& next) -> boost::asio::awaitable<http::Response> {
    // Health is never limited (DESIGN §2), not even a tenant's own /health/tenant/{id}.
    if (req.audience != http::Audience::kTenant || !req.tenant || req.route.starts_with("/health"))
      co_return co_await next(req);
    auto limit = req.tenant->effective_limits().requests_per_hour;
    auto decision = co_await limiter.check(req.tenant->id, limit);
    metrics.count_rate_limit(req.tenant->id, decision.allowed);
    // Requests counted in the current window (the GCRA's used burst) as the usage gauge.
    metrics.set_resource_usage(req.tenant->id, "requests_this_hour",
                               static_cast<double>(decision.limit - decision.remaining));
    if (!decision.allowed) {
      http::RateLimited err("rate limit of " + std::to_string(limit) +
                            " requests per hour exceeded; retry in " +
                            std::to_string(decision.retry_after_seconds) + " s");
      http::Fields headers;
      add_headers(headers, decision);
      headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
      for (auto& [k, v] : headers) err.with_header(k, v);
      throw err;
    }
    try {
      auto res = co_await next(req);
      add_headers(res.headers, decision);
      co_return res;
    } catch (http::ApiError& e) {
      http::Fields headers;
      add_headers(headers, decision);
      for (auto& [k, v] : headers) e.with_header(k, v);
      throw;
    }
  };
}

}  // namespace autoblog::ratelimit
