#pragma once
// The content engine: the provider side of a generation, one step at a time, so that the
// generate_content job (jobs/generate_content_handler.h) can store each step's result in its
// own transaction and never holds one while a provider works.
//   write_brief    an item with only inspiration gets {angle, audience, outline, keywords};
//   write_article  {title, slug, meta_description, outline, body_markdown, keywords} in the
//                  brand's voice, by the tenant's model;
//   illustrate     one image in the tier's quality, stored in the tenant's storage under
//                  assets/{content_id}/hero.{ext}.
// Every call goes through the shared provider budget (ProviderBudget). An answer that cannot be
// used (not JSON, a field missing or empty, not the OpenAI shape) gets ONE repair request that
// says what was wrong; a second bad answer is a GenerationFailed.
//
// Errors tell the job what to do:
//   ProviderBusy      the budget is spent or the provider said 429: run again after
//                     retry_after, spending no attempt;
//   GenerationFailed  retrying cannot help (unusable answers, the provider refused the request,
//                     an image we cannot store): the item fails with this reason;
//   anything else     (providers::ProviderTransient: 5xx, timeouts) a failed attempt, retried.
//
// Thread-safe: the engine holds references to shared, thread-safe parts (generators, budget,
// storage, templates, settings), all owned by the composition root and outliving it.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "content/article.h"
#include "content/engine/generation_inputs.h"
#include "content/engine/prompt_templates.h"
#include "content/provider_budget.h"
#include "content/providers/image_generator.h"
#include "content/providers/settings.h"
#include "content/providers/text_generator.h"
#include "storage/object_storage.h"
#include "tenancy/tenant.h"

namespace autoblog::content::engine {

struct ProviderBusy : std::runtime_error {
  ProviderBusy(std::chrono::milliseconds wait, const std::string& why)
      : std::runtime_error(why), retry_after(wait) {}
  std::chrono::milliseconds retry_after;
};

struct TokenUsage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total() const { return prompt_tokens + completion_tokens; }
  TokenUsage& operator+=(const TokenUsage& o) {
    prompt_tokens += o.prompt_tokens;
    completion_tokens += o.completion_tokens;
    return *this;
  }
};

struct GenerationFailed : std::runtime_error {
  explicit GenerationFailed(const std::string& why, TokenUsage spent = {})
      : std::runtime_error(why), usage(spent) {}
  TokenUsage usage;  // what the failed step's calls cost (unusable answers are billed too)
};

struct WrittenBrief {
  boost::json::object brief;  // {angle, audience, outline, keywords}
  std::string provider, model;
  TokenUsage usage;
};

struct WrittenArticle {
  Article article;
  std::string provider, model;
  TokenUsage usage;
  bool repaired = false;  // the first answer was unusable, the repair request's was used
};

struct StoredImage {
  // {"key", "url", "content_type", "size", "provider", "model", "quality"}: one entry of the
  // item's visual_assets.
  boost::json::object asset;
};

class ContentEngine {
 public:
  ContentEngine(providers::TextGenerator& text, providers::ImageGenerator& images,
                ProviderBudget& budget, storage::ObjectStorage& storage,
                const providers::AiSettings& settings, const PromptTemplates& prompts)
      : text_(text),
        images_(images),
        budget_(budget),
        storage_(storage),
        settings_(settings),
        prompts_(prompts) {}

  boost::asio::awaitable<WrittenBrief> write_brief(const tenancy::Tenant& tenant,
                                                   const GenerationInputs& inputs);
  boost::asio::awaitable<WrittenArticle> write_article(const tenancy::Tenant& tenant,
                                                       const GenerationInputs& inputs);
  boost::asio::awaitable<StoredImage> illustrate(const tenancy::Tenant& tenant,
                                                 const GenerationInputs& inputs,
                                                 const Article& article);

  std::string_view text_provider() const { return text_.name(); }

 private:
  // A text request for `task` with the two prompts rendered from the item and the brand.
  providers::TextRequest text_request(const tenancy::Tenant& tenant, const GenerationInputs& inputs,
                                      providers::TextTask task, Prompt system, Prompt user,
                                      int max_tokens) const;

  providers::TextGenerator& text_;
  providers::ImageGenerator& images_;
  ProviderBudget& budget_;
  storage::ObjectStorage& storage_;
  const providers::AiSettings& settings_;
  const PromptTemplates& prompts_;
};

}  // namespace autoblog::content::engine
