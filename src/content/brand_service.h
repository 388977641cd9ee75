#pragma once
// A tenant's brand configuration (one per tenant), read far more than written: served from the
// tenant cache (cache-aside, short TTL), replaced in a TenantTx. JSON in and out as text, like
// ContentService. Thread-safe; the pool and cache must outlive it.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

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

class BrandService {
 public:
  BrandService(db::Pool& pool, cache::TenantCache& cache) : pool_(pool), cache_(cache) {}

  // nullopt when the tenant has none yet.
  boost::asio::awaitable<std::optional<std::string>> get(const tenancy::ActiveTenant& tenant) const;
  // InvalidInput naming the key for a seo_strategy that scoring cannot use (review.h
  // check_seo_strategy) or sources out of shape (trends::parse_sources); nothing is stored then.
  boost::asio::awaitable<std::string> put(const tenancy::ActiveTenant& tenant,
                                          const BrandConfig& config) const;

 private:
  db::Pool& pool_;
  cache::TenantCache& cache_;
};

}  // namespace autoblog::content
