#pragma once
// The article a generation produces, as stored in a content item's `generated_content`:
// {title, slug, meta_description, outline, body_markdown, keywords} (other keys are kept by
// PATCH but mean nothing to the platform). One reading of that shape for everyone: the content
// engine validating a model's answer, PATCH rescoring an edit, publishing (later) reading it.
// Pure functions over values: thread-safe.
#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "content/quality/quality.h"

namespace autoblog::content {

struct Article {
  std::string title;
  std::string slug;
  std::string meta_description;
  std::vector<std::string> outline;
  std::string body_markdown;
  std::vector<std::string> keywords;

  // The generated_content object (the six fields, in this order).
  boost::json::object to_json() const;
};

// A model's answer, strictly: a JSON object with a non-empty string `title` and `body_markdown`,
// string `meta_description`, arrays of strings `outline` and `keywords` (missing arrays are
// empty), and `slug` optional (made from the title when missing or unusable; always slugified).
// Returns the article, or what is wrong with the answer in one sentence for the repair prompt
// and the item's failure reason ("the answer is not JSON: ...", "field 'title' is missing", ...).
std::variant<Article, std::string> parse_article(std::string_view json_text);

// Scores `generated_content` (any JSON; fields that are not strings count as empty) for the
// brand: its seo_strategy gives the thresholds (quality::parse_thresholds, which throws
// InvalidInput for a bad one) and the target keyphrases (`keywords`); without brand keyphrases
// the article's own keywords are the targets.
quality::Scores score_generated(const boost::json::value& generated_content,
                                const boost::json::value& seo_strategy);

}  // namespace autoblog::content
