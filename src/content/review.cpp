#include "content/review.h"

#include <boost/json.hpp>

#include "content/article.h"
#include "content/errors.h"
#include "content/quality/quality.h"

namespace autoblog::content {

namespace json = boost::json;

std::optional<std::string> approval_refusal(std::string_view status) {
  if (status == "generated") return std::nullopt;
  return "only a generated item can be approved; this item is " + std::string(status);
}

std::optional<std::string> edit_refusal(std::string_view status) {
  if (status != "generating") return std::nullopt;
  return std::string(
      "the item is being generated; edit generated_content once the generation has ended");
}

std::optional<std::string> edited_scores(const json::value& generated_content,
                                         const json::value& seo_strategy) {
  if (generated_content.is_null()) return std::nullopt;
  return json::serialize(score_generated(generated_content, seo_strategy).to_json());
}

std::string edit_record(std::string_view edited_at_rfc3339) {
  return json::serialize(json::object{{"human_edited", true}, {"edited_at", edited_at_rfc3339}});
}

std::optional<std::string> claimed_slug(const json::value& generated_content) {
  const json::object* o = generated_content.if_object();
  const json::value* slug = o ? o->if_contains("slug") : nullptr;
  if (slug == nullptr || slug->is_null()) return std::nullopt;
  if (const json::string* s = slug->if_string()) return std::string(*s);
  return json::serialize(*slug);
}

void check_seo_strategy(const json::value& seo_strategy) {
  quality::parse_thresholds(seo_strategy);  // throws for a bad threshold or a non-object
  const json::object* o = seo_strategy.if_object();
  const json::value* keywords = o ? o->if_contains("keywords") : nullptr;
  if (keywords == nullptr || keywords->is_null()) return;
  const json::array* list = keywords->if_array();
  bool strings = list != nullptr;
  if (list)
    for (const json::value& k : *list) strings = strings && k.is_string();
  if (!strings) throw InvalidInput("seo_strategy.keywords must be an array of strings");
}

json::value parse_json_text(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec) throw InvalidInput("not JSON: " + ec.message());
  return v;
}

}  // namespace autoblog::content
