#pragma once
// A tenant's brand configuration (one per tenant), read far more than written: served from the
// tenant cache (cache-aside, short TTL), replaced in a TenantTx. JSON in and out as text, like
// ContentService. Secrets in publishing_config are write-only (content/brand_secrets.h).
// Thread-safe; the pool and cache must outlive it.
#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cache/prefetched.h"
#include "db/pool.h"
#include "tenancy/active_tenant.h"

namespace autoblog::cache {
class TenantCache;
}

namespace autoblog::content {

struct BrandConfig {
  std::string voice_tone_json;  // object
  std::string topics_json;      // array
  std::optional<std::string> visual_style_json;
  std::optional<std::string> seo_strategy_json;
  std::optional<std::string> publishing_config_json;
  std::optional<std::string> sources_json;  // trend discovery (content/trends/sources.h)
};

// Checks a publishing_config before it is stored (secrets restored), throwing InvalidInput
// naming the field. The publishing layer owns the rules of its targets; the wiring passes them in.
using PublishingConfigCheck = void (*)(const boost::json::value& publishing_config);

class BrandService {
 public:
  BrandService(db::Pool& pool, cache::TenantCache& cache,
               PublishingConfigCheck check_publishing = nullptr)
      : pool_(pool), cache_(cache), check_publishing_(check_publishing) {}

  // The key of the brand's entry in the tenant cache (GET /v1/brand reads it first, so the route
  // has the rate limiter prefetch it).
  static constexpr std::string_view kCacheKey = "brand";

  // nullopt when the tenant has none yet. `prefetched`: the cache entry when already read (used
  // when it is kCacheKey's), saving the cache lookup.
  boost::asio::awaitable<std::optional<std::string>> get(
      const tenancy::ActiveTenant& tenant,
      const std::optional<cache::Prefetched>& prefetched = std::nullopt) const;
  // InvalidInput naming the key for a seo_strategy that scoring cannot use (review.h
  // check_seo_strategy), sources out of shape (trends::parse_sources), a publishing_config the
  // check refuses or a "***" secret with nothing to keep; nothing is stored then.
  boost::asio::awaitable<std::string> put(const tenancy::ActiveTenant& tenant,
                                          const BrandConfig& config) const;

 private:
  db::Pool& pool_;
  cache::TenantCache& cache_;
  PublishingConfigCheck check_publishing_;
};

}  // namespace autoblog::content
