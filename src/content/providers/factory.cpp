#include "content/providers/factory.h"

#include "content/providers/openai_provider.h"
#include "content/providers/template_provider.h"

namespace autoblog::content::providers {

std::unique_ptr<TextGenerator> make_text_generator(const AiSettings& settings,
                                                   net::HttpClient& http) {
  if (settings.base_url) return std::make_unique<OpenAiTextGenerator>(settings, http);
  return std::make_unique<TemplateTextGenerator>(settings.template_latency);
}

std::unique_ptr<ImageGenerator> make_image_generator(const AiSettings& settings,
                                                     net::HttpClient& http) {
  if (image_provider_name(settings) == "openai")
    return std::make_unique<OpenAiImageGenerator>(settings, http);
  return std::make_unique<TemplateImageGenerator>();
}

}  // namespace autoblog::content::providers
