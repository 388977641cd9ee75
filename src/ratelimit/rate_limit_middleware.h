#pragma once
// Applies the tenant's rate limit to every tenant-API request, after authentication (the original
// design's limiter ran before authentication: the seed ran it before the tenant was known, so it
// never applied). Adds X-RateLimit-Limit, -Remaining and -Reset to every tenant response, errors
// included (a tenant's 404 and 405 on paths no route takes as well, see http::routing): they go on
// the request's response_headers, which the server adds to whatever response it sends. A limiter
// that decides at once (in-process) costs no coroutine here. A denied request is a 429
// rate_limited with an exact Retry-After. Public and admin routes are not limited. On a route
// with a prefetch_cache_key (http/operation.h) the limiter reads that cache entry along with its
// decision when it can, and the entry goes on Request::prefetched for the handler.
// Borrows the limiter and metrics, which must outlive the chain.
#include "http/handler.h"

namespace autoblog::observability {
class Metrics;
}

namespace autoblog::ratelimit {

class RateLimiter;

http::Middleware rate_limit(RateLimiter& limiter, observability::Metrics& metrics);

}  // namespace autoblog::ratelimit
