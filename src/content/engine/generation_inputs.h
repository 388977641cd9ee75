#pragma once
// What one generation reads, as stored: the item's inspiration and brief, the brand's columns
// (absent when the tenant has no brand yet) and the tenant's name. JSON columns are JSON text;
// nullopt = SQL NULL. Plain value type.
#include <optional>
#include <string>

namespace autoblog::content::engine {

struct GenerationInputs {
  std::string content_id;
  std::string brand_name;
  std::optional<std::string> inspiration_json;
  std::optional<std::string> brief_json;
  std::optional<std::string> voice_tone_json;
  std::optional<std::string> topics_json;
  std::optional<std::string> visual_style_json;
  std::optional<std::string> seo_strategy_json;
  std::optional<std::string> publishing_config_json;
};

}  // namespace autoblog::content::engine
