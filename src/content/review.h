#pragma once
// The rules of reviewing a generated article, apart from the transactions that apply them
// (ContentService, BrandService): when an item may be approved or its article edited, how an
// edited article is scored for the brand and recorded, which slug an article claims, and which
// seo_strategy a brand may store. Pure functions over values: thread-safe.
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::content {

// Why an item in `status` cannot be approved (a sentence naming the status), or nullopt when it
// can: only a generated item is approved.
std::optional<std::string> approval_refusal(std::string_view status);

// Why the generated_content of an item in `status` cannot be edited now, or nullopt: while it is
// generating, the generation would overwrite the edit when it ends.
std::optional<std::string> edit_refusal(std::string_view status);

// The quality_scores to store with an edited article, as JSON text: the article scored for the
// brand's seo_strategy (score_generated; null or missing = default thresholds), or nullopt for a
// null article (its scores are cleared). Throws InvalidInput when the seo_strategy holds a bad
// threshold.
std::optional<std::string> edited_scores(const boost::json::value& generated_content,
                                         const boost::json::value& seo_strategy);

// What an edit adds to the item's `generation` record: {"human_edited": true, "edited_at": ...}.
std::string edit_record(std::string_view edited_at_rfc3339);

// The slug the article claims, as the per-tenant unique index reads it (`->> 'slug'`: a string
// as is, any other JSON value as its text), or nullopt when it has none.
std::optional<std::string> claimed_slug(const boost::json::value& generated_content);

// Throws InvalidInput naming the key when a brand's seo_strategy cannot be used for scoring: a
// threshold outside its range (quality::parse_thresholds) or `keywords` that is not an array of
// strings. Checked when the brand is stored, so a generation never meets a bad one later.
void check_seo_strategy(const boost::json::value& seo_strategy);

// JSON text the service was handed (already checked by the route) or read from the database, as
// a value; nullopt (SQL NULL) is JSON null. Throws InvalidInput for text that is not JSON.
boost::json::value parse_json_text(const std::optional<std::string>& text);

}  // namespace autoblog::content
