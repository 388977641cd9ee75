// The JSON sides of the quality module: a brand's thresholds in, the stored scores out.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "content/errors.h"
#include "content/quality/quality.h"

namespace autoblog::content::quality {
namespace {

struct Field {
  const char* key;
  double Thresholds::*member;
  double min;
  double max;
};

// The seo_strategy keys a brand may set, with the range each must lie in.
constexpr double kBig = 1e6;
constexpr Field kFields[] = {
    {"min_overall", &Thresholds::min_overall, 0, 100},
    {"min_words", &Thresholds::min_words, 1, kBig},
    {"max_long_sentence_share", &Thresholds::max_long_sentence_share, 0, 100},
    {"max_paragraph_words", &Thresholds::max_paragraph_words, 1, kBig},
    {"max_section_words", &Thresholds::max_section_words, 1, kBig},
    {"min_keyword_density", &Thresholds::min_keyword_density, 0.01, 100},
    {"max_keyword_density", &Thresholds::max_keyword_density, 0.01, 100},
    {"min_meta_description_length", &Thresholds::min_meta_description_length, 1, kBig},
    {"max_meta_description_length", &Thresholds::max_meta_description_length, 1, kBig},
    {"max_title_length", &Thresholds::max_title_length, 1, kBig},
    {"min_flesch_reading_ease", &Thresholds::min_flesch_reading_ease, 0, 100},
};

}  // namespace

Thresholds parse_thresholds(const boost::json::value& seo_strategy) {
  Thresholds t;
  if (seo_strategy.is_null()) return t;
  const boost::json::object* o = seo_strategy.if_object();
  if (o == nullptr) throw InvalidInput("seo_strategy must be an object");
  for (const Field& f : kFields) {
    const boost::json::value* v = o->if_contains(f.key);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_number()) {
      throw InvalidInput(fmt::format("seo_strategy.{} must be a number", f.key));
    }
    const double d = v->to_number<double>();
    if (!(d >= f.min && d <= f.max)) {
      throw InvalidInput(
          fmt::format("seo_strategy.{} must be from {:g} to {:g}", f.key, f.min, f.max));
    }
    t.*f.member = d;
  }
  if (t.min_keyword_density > t.max_keyword_density) {
    throw InvalidInput("seo_strategy.min_keyword_density must not exceed max_keyword_density");
  }
  if (t.min_meta_description_length > t.max_meta_description_length) {
    throw InvalidInput(
        "seo_strategy.min_meta_description_length must not exceed max_meta_description_length");
  }
  return t;
}

boost::json::object Scores::to_json() const {
  boost::json::object density;
  for (const auto& [keyword, percent] : keyword_density) density[keyword] = percent;
  boost::json::array issue_list;
  for (const std::string& i : issues) issue_list.emplace_back(i);
  return {
      {"word_count", word_count},
      {"sentence_count", sentence_count},
      {"flesch_reading_ease", flesch_reading_ease},
      {"flesch_kincaid_grade", flesch_kincaid_grade},
      {"keyword_density", std::move(density)},
      {"heading_count", heading_count},
      {"max_words_per_section", max_words_per_section},
      {"longest_paragraph_words", longest_paragraph_words},
      {"title_length", title_length},
      {"meta_description_length", meta_description_length},
      {"overall", overall},
      {"passes", passes},
      {"issues", std::move(issue_list)},
  };
}

}  // namespace autoblog::content::quality
