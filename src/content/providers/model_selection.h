#pragma once
// Which model writes a tenant's text and in which quality its images are made. Pure function of
// the tenant snapshot and the settings; thread-safe.
#include <string>

#include "content/providers/settings.h"
#include "tenancy/tenant.h"

namespace autoblog::content::providers {

struct ModelChoice {
  std::string text_model;     // for TextRequest::model
  std::string image_model;    // for ImageRequest::model
  std::string image_quality;  // "standard" | "hd", for ImageRequest::quality
};

// Text model, most specific first: the tenant's own limits.ai_model (set by the operator for
// that tenant), AUTOBLOG_AI_MODEL_<TIER>, AUTOBLOG_AI_MODEL, the tier's default (starter
// gpt-4o-mini, growth and enterprise gpt-4o). Image quality: the tenant's limits.image_quality,
// AUTOBLOG_AI_IMAGE_QUALITY, the tier's default (starter standard, growth and enterprise hd).
ModelChoice select_model(const tenancy::Tenant& tenant, const AiSettings& settings);

}  // namespace autoblog::content::providers
