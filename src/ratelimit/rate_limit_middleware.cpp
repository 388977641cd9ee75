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
}  // namespace

http::Middleware rate_limit(RateLimiter& limiter, observability::Metrics& metrics) {
  return [&limiter, &metrics](http::Request& req,
                              const http::Handler& next) -> boost::asio::awaitable<http::Response> {
    // Health is never limited (docs/api.md), not even a tenant's own /health/tenant/{id}.
    if (req.audience != http::Audience::kTenant || !req.tenant || req.route.starts_with("/health"))
      co_return co_await next(req);
    const auto& tenant_id = req.tenant->id();
    auto limit = req.tenant->limits().requests_per_hour;
    // A route whose handler starts with a cache lookup has it read along with the decision.
    auto decision = co_await limiter.check_and_read(tenant_id, limit, req.prefetch_cache_key);
    metrics.count_rate_limit(tenant_id, decision.allowed);
    // Requests counted in the current window (the GCRA's used burst) as the usage gauge.
    metrics.set_resource_usage(tenant_id, "requests_this_hour",
                               static_cast<double>(decision.limit - decision.remaining));
    // On the request, so that error responses made from exceptions carry them too.
    add_headers(req.response_headers, decision);
    if (!decision.allowed) {
      http::RateLimited err("rate limit of " + std::to_string(limit) +
                            " requests per hour exceeded; retry in " +
                            std::to_string(decision.retry_after_seconds) + " s");
      err.with_header("Retry-After", std::to_string(decision.retry_after_seconds));
      throw err;
    }
    if (decision.prefetched) req.prefetched = std::move(decision.prefetched);
    auto res = co_await next(req);
    res.number_headers.add_all(req.response_headers);
    co_return res;
  };
}

}  // namespace autoblog::ratelimit
