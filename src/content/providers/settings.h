#pragma once
// The AI provider settings (AUTOBLOG_AI_*, docs/configuration.md), held by app::Config as
// `ai` and handed to the factories, select_model and ProviderBudget. A plain value: copy it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace autoblog::content::providers {

// Requests and tokens per minute a provider may be sent, across every worker process
// (ProviderBudget). 0 = unlimited.
struct ProviderLimits {
  std::int64_t requests_per_minute = 0;
  std::int64_t tokens_per_minute = 0;
  // Requests that may go out back to back before the per-minute pace applies. 1 (the default)
  // spaces requests evenly, so no 60-second window ever holds more than requests_per_minute.
  std::int64_t burst = 1;
};

struct AiSettings {
  // Unset: the offline `template` provider. Set: an OpenAI-compatible API, including the
  // version path (https://api.openai.com/v1, http://127.0.0.1:8000/v1 for a local server).
  std::optional<std::string> base_url;
  std::string api_key;  // sent as Authorization: Bearer; may be empty for local servers

  // Models. Precedence for text: the tenant's limits.ai_model, then model_<tier>, then
  // `model`, then the tier's default (select_model in model_selection.h).
  std::optional<std::string> model;  // AUTOBLOG_AI_MODEL: every tier
  std::optional<std::string> model_starter, model_growth, model_enterprise;
  std::optional<std::string> image_quality;  // AUTOBLOG_AI_IMAGE_QUALITY: every tier
  std::string image_model = "dall-e-3";
  // AUTOBLOG_AI_IMAGE_PROVIDER: "template" keeps placeholder images while text comes from the
  // endpoint (local servers such as Ollama or llama.cpp have no images API). Unset: the same
  // provider as text.
  std::optional<std::string> image_provider;
  std::string image_size = "1024x1024";

  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{120000};  // one call, retries included
  int max_attempts = 3;                       // HTTP attempts per call (1 = no retries)
  // A 429 whose Retry-After is at most this long is waited for in place; a longer one ends the
  // call with ProviderRateLimited (the job snoozes instead of holding a worker).
  std::chrono::milliseconds max_retry_after{20000};

  ProviderLimits limits;  // for the configured endpoint (provider "openai")

  // The template text provider's simulated response time (demos, load tests of the generation
  // limits): AUTOBLOG_AI_TEMPLATE_LATENCY_MS.
  std::chrono::milliseconds template_latency{0};
};

// Checks what config_from_env cannot: the base URL is an absolute http(s) URL with a host and no
// query or fragment (Boost.URL), ranges. Throws std::invalid_argument naming the setting.
void validate(const AiSettings& settings);

// The provider the settings select: "openai" when base_url is set, else "template".
std::string provider_name(const AiSettings& settings);
// The image provider: "template" when image_provider says so or no base_url is set.
std::string image_provider_name(const AiSettings& settings);

}  // namespace autoblog::content::providers
