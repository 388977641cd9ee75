#include "content/brand_service.h"

#include <boost/json.hpp>
#include <chrono>

#include "cache/tenant_cache.h"
#include "content/brand_secrets.h"
#include "content/content_json.h"
#include "content/content_queries.h"
#include "content/review.h"
#include "content/trends/schedule.h"
#include "content/trends/sources.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::content {

namespace asio = boost::asio;
using db::param;
using db::Params;

namespace {
// A GET that races a PUT can cache the old value for at most this.
constexpr std::chrono::seconds kBrandTtl{60};

// The brand as responses show it: secrets replaced by "***".
std::string redacted_brand_json(const db::Result& r) {
  auto brand = boost::json::parse(brand_json(r, 0));
  if (auto* config = brand.as_object().if_contains("publishing_config")) redact_secrets(*config);
  return boost::json::serialize(brand);
}
}  // namespace

asio::awaitable<std::optional<std::string>> BrandService::get(
    const tenancy::ActiveTenant& tenant, const std::optional<cache::Prefetched>& prefetched) const {
  std::optional<std::string> hit;
  if (const auto* entry = cache::prefetched_entry(prefetched, kCacheKey)) {
    hit = entry->value;
  } else {
    hit = co_await cache_.get(tenant.id(), kCacheKey);
  }
  if (hit) co_return hit;
  auto r = co_await tenancy::TenantTx::read_one(pool_, tenant, queries::kGetBrand);
  if (r.empty()) co_return std::nullopt;
  std::string body = redacted_brand_json(r);
  co_await cache_.set(tenant.id(), kCacheKey, body, kBrandTtl);
  co_return body;
}

asio::awaitable<std::string> BrandService::put(const tenancy::ActiveTenant& tenant,
                                               const BrandConfig& config) const {
  check_seo_strategy(parse_json_text(config.seo_strategy_json));
  const auto sources = trends::parse_sources(parse_json_text(config.sources_json));
  auto publishing = parse_json_text(config.publishing_config_json);
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  auto stored = co_await tx.exec(queries::kLockBrandPublishing);
  restore_secrets(publishing, stored.empty() ? boost::json::value(nullptr)
                                             : parse_json_text(stored.get_opt(0, 0)));
  if (check_publishing_) check_publishing_(publishing);
  std::optional<std::string> publishing_json;
  if (!publishing.is_null()) publishing_json = boost::json::serialize(publishing);
  Params p{param(config.voice_tone_json),   param(config.topics_json),
           param(config.visual_style_json), param(config.seo_strategy_json),
           param(publishing_json),          param(config.sources_json)};
  auto r = co_await tx.exec(queries::kPutBrand, std::move(p));
  // Scheduled discovery follows the brand in the same transaction (feeds listed or not).
  co_await trends::save_schedule(tx, sources);
  co_await tx.commit();
  co_await cache_.del(tenant.id(), kCacheKey);
  co_return redacted_brand_json(r);
}

}  // namespace autoblog::content
