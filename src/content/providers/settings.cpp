#include "content/providers/settings.h"

#include <boost/url/parse.hpp>
#include <stdexcept>

namespace autoblog::content::providers {

void validate(const AiSettings& s) {
  if (s.base_url) {
    const std::string& text = *s.base_url;
    auto url = boost::urls::parse_absolute_uri(text);
    if (!url)
      throw std::invalid_argument("AUTOBLOG_AI_BASE_URL: '" + text + "' is not an absolute URL");
    if (url->scheme() != "http" && url->scheme() != "https")
      throw std::invalid_argument("AUTOBLOG_AI_BASE_URL must be an http:// or https:// URL");
    if (url->host().empty())
      throw std::invalid_argument("AUTOBLOG_AI_BASE_URL: '" + text + "' has no host");
    if (url->has_query() || url->has_fragment())
      throw std::invalid_argument(
          "AUTOBLOG_AI_BASE_URL must not have a query or fragment (paths are appended to it)");
    if (url->has_userinfo())
      throw std::invalid_argument(
          "AUTOBLOG_AI_BASE_URL must not carry credentials: use AUTOBLOG_AI_API_KEY");
  }
  auto non_empty = [](const std::optional<std::string>& v, const char* name) {
    if (v && v->empty()) throw std::invalid_argument(std::string(name) + " must not be empty");
  };
  non_empty(s.model, "AUTOBLOG_AI_MODEL");
  non_empty(s.model_starter, "AUTOBLOG_AI_MODEL_STARTER");
  non_empty(s.model_growth, "AUTOBLOG_AI_MODEL_GROWTH");
  non_empty(s.model_enterprise, "AUTOBLOG_AI_MODEL_ENTERPRISE");
  if (s.image_quality && *s.image_quality != "standard" && *s.image_quality != "hd")
    throw std::invalid_argument("AUTOBLOG_AI_IMAGE_QUALITY must be standard or hd");
  if (s.image_provider && *s.image_provider != "openai" && *s.image_provider != "template")
    throw std::invalid_argument("AUTOBLOG_AI_IMAGE_PROVIDER must be openai or template");
  if (s.image_provider == "openai" && !s.base_url)
    throw std::invalid_argument("AUTOBLOG_AI_IMAGE_PROVIDER=openai needs AUTOBLOG_AI_BASE_URL");
  if (s.image_model.empty())
    throw std::invalid_argument("AUTOBLOG_AI_IMAGE_MODEL must not be empty");
  auto x = s.image_size.find('x');
  if (x == std::string::npos || x == 0 || x + 1 == s.image_size.size() ||
      s.image_size.find_first_not_of("0123456789x") != std::string::npos ||
      s.image_size.find('x', x + 1) != std::string::npos)
    throw std::invalid_argument("AUTOBLOG_AI_IMAGE_SIZE must look like 1024x1024");
  if (s.max_attempts < 1 || s.max_attempts > 10)
    throw std::invalid_argument("AUTOBLOG_AI_MAX_ATTEMPTS must be in [1, 10]");
  if (s.limits.requests_per_minute < 0 || s.limits.tokens_per_minute < 0)
    throw std::invalid_argument("AI budgets must be >= 0 (0 = unlimited)");
  if (s.limits.burst < 1) throw std::invalid_argument("AUTOBLOG_AI_BURST must be >= 1");
}

std::string provider_name(const AiSettings& settings) {
  return settings.base_url ? "openai" : "template";
}

std::string image_provider_name(const AiSettings& settings) {
  if (settings.image_provider == "template") return "template";
  return provider_name(settings);
}

}  // namespace autoblog::content::providers
