#include "app/backends.h"

#include "cache/in_process_cache.h"
#include "cache/redis_cache.h"
#include "net/http_client.h"
#include "observability/metrics.h"
#include "ratelimit/in_process_rate_limiter.h"
#include "ratelimit/redis_rate_limiter.h"
#include "redis/client.h"
#include "storage/local_storage.h"
#include "storage/s3_storage.h"

namespace autoblog::app {

namespace {

// Forwards to the limiter it wraps; lets limiter_ own the Redis one or alias the local one.
class BorrowedLimiter : public ratelimit::RateLimiter {
 public:
  explicit BorrowedLimiter(ratelimit::RateLimiter& inner) : inner_(inner) {}
  boost::asio::awaitable<ratelimit::Decision> check(std::string_view tenant_id,
                                                    std::int64_t requests_per_hour) override {
    return inner_.check(tenant_id, requests_per_hour);
  }
  std::optional<ratelimit::Decision> check_at_once(std::string_view tenant_id,
                                                   std::int64_t requests_per_hour) override {
    return inner_.check_at_once(tenant_id, requests_per_hour);
  }

 private:
  ratelimit::RateLimiter& inner_;
};

}  // namespace

Backends::Backends(const Config& config, boost::asio::any_io_executor executor,
                   std::vector<boost::asio::any_io_executor> loops,
                   observability::Metrics* metrics) {
  local_limiter_ = std::make_unique<ratelimit::InProcessRateLimiter>();
  if (config.redis_url) {
    redis::ClientOptions options;
    options.url = *config.redis_url;
    options.pool_size = config.redis_pool_size;
    redis_ = std::make_unique<redis::Client>(std::move(loops), options);
    limiter_ = std::make_unique<ratelimit::RedisRateLimiter>(*redis_, *local_limiter_, [metrics] {
      if (metrics) metrics->count_rate_limit_fallback();
    });
    cache_ = std::make_unique<cache::RedisCache>(*redis_);
  } else {
    limiter_ = std::make_unique<BorrowedLimiter>(*local_limiter_);
    cache_ = std::make_unique<cache::InProcessCache>(config.cache_max_bytes);
  }
  // The client's default egress policy is the one for tenant-supplied URLs (feeds); operator
  // endpoints (S3, the AI provider) set their own per request.
  net::ClientOptions http_options;
  http_options.egress.allow_private = config.egress_allow_private;
  http_ = std::make_unique<net::HttpClient>(executor, http_options);
  if (config.s3) {
    storage::S3Options o;
    o.endpoint = config.s3->endpoint;
    o.bucket = config.s3->bucket;
    o.region = config.s3->region;
    o.access_key = config.s3->access_key;
    o.secret_key = config.s3->secret_key;
    // Objects are read into memory: accept any object the API could have stored, plus slack for
    // listings and error documents.
    o.max_response_bytes = config.max_object_bytes + (1u << 20);
    storage_ = std::make_unique<storage::S3Storage>(o, *http_);
    s3_ = true;
  } else {
    storage_ = std::make_unique<storage::LocalStorage>(config.data_dir / "storage", blocking_);
  }
}

Backends::~Backends() {
  // Finish blocking work before the backends it uses go away.
  blocking_.join();
}

}  // namespace autoblog::app
