#include "tenancy/tenant.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace autoblog::tenancy {

std::string_view to_string(Tier tier) {
  switch (tier) {
    case Tier::kStarter: return "starter";
    case Tier::kGrowth: return "growth";
    case Tier::kEnterprise: return "enterprise";
  }
  return "starter";
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::kActive: return "active";
    case Status::kSuspended: return "suspended";
    case Status::kDeleted: return "deleted";
  }
  return "active";
}

std::optional<Tier> parse_tier(std::string_view t) {
  if (t == "starter") return Tier::kStarter;
  if (t == "growth") return Tier::kGrowth;
  if (t == "enterprise") return Tier::kEnterprise;
  return std::nullopt;
}

std::optional<Status> parse_status(std::string_view t) {
  if (t == "active") return Status::kActive;
  if (t == "suspended") return Status::kSuspended;
  if (t == "deleted") return Status::kDeleted;
  return std::nullopt;
}

const TierLimits& tier_defaults(Tier tier) {
  static const TierLimits starter{500, 1, 10, "gpt-4o-mini", "standard", -1, std::nullopt};
  static const TierLimits growth{2000, 3, 50, "gpt-4o", "hd", -1, std::nullopt};
  static const TierLimits enterprise{10000, 10, -1, "gpt-4o", "hd", -1, std::nullopt};
  switch (tier) {
    case Tier::kStarter: return starter;
    case Tier::kGrowth: return growth;
    case Tier::kEnterprise: return enterprise;
  }
  return starter;
}

std::int64_t storage_quota(const Tenant& tenant, const StorageQuotaDefaults& defaults) {
  if (tenant.limits.storage_bytes) return *tenant.limits.storage_bytes;
  switch (tenant.tier) {
    case Tier::kStarter: return defaults.starter;
    case Tier::kGrowth: return defaults.growth;
    case Tier::kEnterprise: return defaults.enterprise;
  }
  return defaults.starter;
}

TierLimits compute_limits(Tier tier, std::string_view limits_json) {
  TierLimits l = tier_defaults(tier);
  boost::json::error_code ec;
  auto v = boost::json::parse(limits_json, ec);
  if (ec || !v.is_object()) return l;
  const auto& o = v.as_object();
  auto num = [&](const char* key, std::int64_t& out) {
    if (auto* p = o.if_contains(key); p && p->is_int64()) out = p->as_int64();
  };
  auto str = [&](const char* key, std::string& out) {
    if (auto* p = o.if_contains(key); p && p->is_string()) out = std::string(p->as_string());
  };
  num("requests_per_hour", l.requests_per_hour);
  num("max_concurrent_generations", l.max_concurrent_generations);
  num("max_daily_content", l.max_daily_content);
  num("daily_token_budget", l.daily_token_budget);
  if (auto* p = o.if_contains("storage_bytes"); p && p->is_int64())
    l.storage_bytes = p->as_int64();
  str("ai_model", l.ai_model);
  str("image_quality", l.image_quality);
  return l;
}

}  // namespace autoblog::tenancy
