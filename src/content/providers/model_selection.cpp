#include "content/providers/model_selection.h"

#include <boost/json/parse.hpp>
#include <optional>

namespace autoblog::content::providers {
namespace {

// The tenant's own override of `key`, if its stored limits set one. Read from limits_json
// rather than compared against the tier defaults, so that a tenant pinned to the tier's default
// model keeps it even when the operator configures another model for the tier.
std::optional<std::string> tenant_override(const tenancy::Tenant& tenant, const char* key) {
  boost::system::error_code ec;
  auto v = boost::json::parse(tenant.limits_json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  if (auto* p = v.as_object().if_contains(key); p && p->is_string() && !p->as_string().empty())
    return std::string(p->as_string());
  return std::nullopt;
}

const std::optional<std::string>& tier_model(const AiSettings& s, tenancy::Tier tier) {
  switch (tier) {
    case tenancy::Tier::kStarter:
      return s.model_starter;
    case tenancy::Tier::kGrowth:
      return s.model_growth;
    case tenancy::Tier::kEnterprise:
      return s.model_enterprise;
  }
  return s.model_starter;
}

}  // namespace

ModelChoice select_model(const tenancy::Tenant& tenant, const AiSettings& settings) {
  const tenancy::TierLimits& defaults = tenancy::tier_defaults(tenant.tier);
  ModelChoice choice;
  if (auto own = tenant_override(tenant, "ai_model")) {
    choice.text_model = *own;
  } else if (const auto& per_tier = tier_model(settings, tenant.tier)) {
    choice.text_model = *per_tier;
  } else if (settings.model) {
    choice.text_model = *settings.model;
  } else {
    choice.text_model = defaults.ai_model;
  }
  if (auto own = tenant_override(tenant, "image_quality")) {
    choice.image_quality = *own;
  } else if (settings.image_quality) {
    choice.image_quality = *settings.image_quality;
  } else {
    choice.image_quality = defaults.image_quality;
  }
  choice.image_model = settings.image_model;
  return choice;
}

}  // namespace autoblog::content::providers
