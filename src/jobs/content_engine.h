#pragma once
// What the generate_content job asks of the content engine: an article for one item, from the
// item and the tenant's brand. The job owns the transactions and the item's status; the engine
// only writes. Implementations must be thread-safe.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "tenancy/active_tenant.h"

namespace autoblog::jobs {

struct GenerationInputs {
  std::string content_id;
  std::optional<std::string> inspiration_json;
  std::optional<std::string> brief_json;
  // The brand's columns (absent when the tenant has no brand yet).
  std::optional<std::string> voice_tone_json;
  std::optional<std::string> topics_json;
  std::optional<std::string> visual_style_json;
  std::optional<std::string> seo_strategy_json;
};

struct GeneratedArticle {
  std::string generated_content_json;  // {title, slug, meta_description, outline, body_markdown, keywords, ...}
  std::optional<std::string> quality_scores_json;
  std::string provider;
  std::string model;
};

class ContentEngine {
 public:
  virtual ~ContentEngine() = default;
  virtual boost::asio::awaitable<GeneratedArticle> write(const tenancy::ActiveTenant& tenant,
                                                         const GenerationInputs& inputs) = 0;
};

}  // namespace autoblog::jobs
