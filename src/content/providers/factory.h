#pragma once
// Chooses the providers from the settings: `openai` when AUTOBLOG_AI_BASE_URL is set, else
// `template` (images: AUTOBLOG_AI_IMAGE_PROVIDER may keep the template's). Called once by the
// composition root; the generators are shared by every worker. The HttpClient must outlive the
// generators (the template ones do not use it).
#include <memory>

#include "content/providers/image_generator.h"
#include "content/providers/settings.h"
#include "content/providers/text_generator.h"

namespace autoblog::net {
class HttpClient;
}

namespace autoblog::content::providers {

std::unique_ptr<TextGenerator> make_text_generator(const AiSettings& settings,
                                                   net::HttpClient& http);
std::unique_ptr<ImageGenerator> make_image_generator(const AiSettings& settings,
                                                     net::HttpClient& http);

}  // namespace autoblog::content::providers
