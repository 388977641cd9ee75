#pragma once
// Chooses each pluggable part's backend from the configuration (docs/configuration.md): in-process rate
// limiter and cache and local-file storage by default; Redis and S3 when configured. Owns them;
// built once by the composition root (serve or a CLI command) and destroyed after the
// io_context has stopped. The limiter/cache/storage members are never null.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <vector>

#include "app/config.h"
#include "cache/tenant_cache.h"
#include "ratelimit/rate_limiter.h"
#include "storage/object_storage.h"

namespace autoblog::redis {
class Client;
}
namespace autoblog::net {
class HttpClient;
}
namespace autoblog::observability {
class Metrics;
}

namespace autoblog::app {

class Backends {
 public:
  // `executor`: loop 0, for storage and the HTTP client; `loops`: every event loop, each with
  // its own Redis connection (redis::Client).
  Backends(const Config& config, boost::asio::any_io_executor executor,
           std::vector<boost::asio::any_io_executor> loops, observability::Metrics* metrics);
  ~Backends();

  ratelimit::RateLimiter& limiter() { return *limiter_; }
  cache::TenantCache& cache() { return *cache_; }
  storage::ObjectStorage& storage() { return *storage_; }
  bool uses_redis() const { return redis_ != nullptr; }
  // The Redis client (limiter and cache) when configured, else null.
  const redis::Client* redis() const { return redis_.get(); }
  bool uses_s3() const { return s3_; }
  // The process's one outbound HTTP client (S3 uses it when configured).
  net::HttpClient& http() { return *http_; }

 private:
  boost::asio::thread_pool blocking_{4};  // local file I/O, off the I/O threads
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<ratelimit::RateLimiter> local_limiter_;
  std::unique_ptr<ratelimit::RateLimiter> limiter_;
  std::unique_ptr<cache::TenantCache> cache_;
  std::unique_ptr<net::HttpClient> http_;  // declared before storage_: outlives it
  std::unique_ptr<storage::ObjectStorage> storage_;
  bool s3_ = false;
};

}  // namespace autoblog::app
