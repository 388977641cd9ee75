// content/review.h: the rules of approving and editing a generated article, apart from the
// transactions that apply them.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "content/errors.h"
#include "content/review.h"

using namespace autoblog::content;
namespace json = boost::json;

namespace {

// The message of the InvalidInput that `f` throws, or "no error".
template <typename F>
std::string invalid_input_of(F f) {
  try {
    f();
  } catch (const InvalidInput& e) {
    return e.what();
  }
  return "no error";
}

std::string seo_error(std::string_view seo) {
  return invalid_input_of([&] { check_seo_strategy(json::parse(seo)); });
}

}  // namespace

TEST(ContentReview, OnlyAGeneratedItemIsApproved) {
  EXPECT_EQ(approval_refusal("generated"), std::nullopt);
  for (auto s : {"inspiration", "briefed", "generating", "approved", "scheduled", "published",
                 "failed", "archived"})
    EXPECT_EQ(approval_refusal(s),
              "only a generated item can be approved; this item is " + std::string(s));
}

TEST(ContentReview, TheArticleCannotBeEditedWhileGenerating) {
  ASSERT_TRUE(edit_refusal("generating").has_value());
  EXPECT_NE(edit_refusal("generating")->find("being generated"), std::string::npos);
  for (auto s : {"inspiration", "briefed", "generated", "approved", "scheduled", "published",
                 "failed", "archived"})
    EXPECT_EQ(edit_refusal(s), std::nullopt) << s;
}

TEST(ContentReview, EditedScoresUseTheBrandKeyphrasesAndThresholds) {
  auto article = json::parse(
      R"({"title":"Espresso","meta_description":"m","keywords":["grinder"],)"
      R"("body_markdown":"An espresso machine is a fine thing to own. A grinder helps too."})");
  auto scores =
      json::parse(*edited_scores(article, json::parse(R"({"keywords":["espresso machine"]})")));
  const auto& density = scores.at("keyword_density").as_object();
  ASSERT_EQ(density.size(), 1u);
  EXPECT_DOUBLE_EQ(density.at("espresso machine").to_number<double>(), 7.69);  // 1 of 13 words
  EXPECT_EQ(scores.at("word_count").to_number<int>(), 13);
  EXPECT_FALSE(scores.at("passes").as_bool());

  // no brand: the article's own keywords, the default thresholds
  auto own = json::parse(*edited_scores(article, nullptr));
  EXPECT_TRUE(own.at("keyword_density").as_object().contains("grinder"));
  // a pass mark of 0 passes anything
  auto lenient = json::parse(*edited_scores(article, json::parse(R"({"min_overall":0})")));
  EXPECT_TRUE(lenient.at("passes").as_bool());
}

TEST(ContentReview, ANullArticleHasNoScores) {
  EXPECT_EQ(edited_scores(nullptr, json::parse(R"({"keywords":["x"]})")), std::nullopt);
}

TEST(ContentReview, EditedScoresRefuseABadStoredThreshold) {
  auto article = json::parse(R"({"title":"t","body_markdown":"b"})");
  EXPECT_EQ(
      invalid_input_of([&] { edited_scores(article, json::parse(R"({"min_overall":101})")); }),
      "seo_strategy.min_overall must be from 0 to 100");
}

TEST(ContentReview, EditRecord) {
  EXPECT_EQ(json::parse(edit_record("2025-01-31T12:00:00.000000Z")),
            json::parse(R"({"human_edited":true,"edited_at":"2025-01-31T12:00:00.000000Z"})"));
}

TEST(ContentReview, ClaimedSlugReadsLikeTheUniqueIndex) {
  EXPECT_EQ(claimed_slug(json::parse(R"({"slug":"my-post"})")), "my-post");
  EXPECT_EQ(claimed_slug(json::parse(R"({"slug":12})")), "12");
  EXPECT_EQ(claimed_slug(json::parse(R"({"slug":null})")), std::nullopt);
  EXPECT_EQ(claimed_slug(json::parse(R"({"title":"t"})")), std::nullopt);
  EXPECT_EQ(claimed_slug(nullptr), std::nullopt);
}

TEST(ContentReview, SeoStrategyChecksNameTheKey) {
  EXPECT_EQ(seo_error("null"), "no error");
  EXPECT_EQ(seo_error("{}"), "no error");
  EXPECT_EQ(seo_error(R"({"keywords":["a","b"],"min_overall":80,"unknown":{"kept":1}})"),
            "no error");
  EXPECT_EQ(seo_error(R"({"keywords":null})"), "no error");
  EXPECT_EQ(seo_error(R"({"min_overall":150})"), "seo_strategy.min_overall must be from 0 to 100");
  EXPECT_EQ(seo_error(R"({"min_overall":"high"})"), "seo_strategy.min_overall must be a number");
  EXPECT_EQ(seo_error(R"({"min_keyword_density":4,"max_keyword_density":3})"),
            "seo_strategy.min_keyword_density must not exceed max_keyword_density");
  EXPECT_EQ(seo_error(R"({"keywords":"espresso"})"),
            "seo_strategy.keywords must be an array of strings");
  EXPECT_EQ(seo_error(R"({"keywords":["espresso",1]})"),
            "seo_strategy.keywords must be an array of strings");
  EXPECT_EQ(seo_error(R"({"keywords":{}})"), "seo_strategy.keywords must be an array of strings");
}

TEST(ContentReview, ParseJsonText) {
  EXPECT_TRUE(parse_json_text(std::nullopt).is_null());
  EXPECT_EQ(parse_json_text(std::string(R"({"a":1})")), json::parse(R"({"a":1})"));
  EXPECT_NE(invalid_input_of([] { parse_json_text(std::string("{")); }), "no error");
}
