// content::parse_article (a model's answer, strictly) and score_generated (any generated_content
// against a brand's seo_strategy).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "content/article.h"
#include "content/errors.h"

using autoblog::content::Article;
using autoblog::content::parse_article;
using autoblog::content::score_generated;

namespace {

std::string problem_of(std::string_view text) {
  auto r = parse_article(text);
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string("ok");
}

}  // namespace

TEST(Article, ParsesAFullAnswerAndSlugifiesTheSlug) {
  auto r = parse_article(
      R"({"title":"Espresso at Home","slug":"Espresso At Home!","meta_description":"m",)"
      R"("outline":["a","b"],"body_markdown":"# x\n\nText.","keywords":["espresso"],"extra":1})");
  ASSERT_TRUE(std::holds_alternative<Article>(r));
  const auto& a = std::get<Article>(r);
  EXPECT_EQ(a.title, "Espresso at Home");
  EXPECT_EQ(a.slug, "espresso-at-home");
  EXPECT_EQ(a.outline, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"espresso"}));
  auto o = a.to_json();
  EXPECT_EQ(o.size(), 6u);
  EXPECT_EQ(o.at("slug").as_string(), "espresso-at-home");
}

TEST(Article, SlugComesFromTheTitleWhenMissingOrUnusable) {
  auto r = parse_article(R"({"title":"Grind Size 101","meta_description":"","body_markdown":"x"})");
  ASSERT_TRUE(std::holds_alternative<Article>(r));
  EXPECT_EQ(std::get<Article>(r).slug, "grind-size-101");
  r = parse_article(R"({"title":"日本","slug":"日本","meta_description":"","body_markdown":"x"})");
  ASSERT_TRUE(std::holds_alternative<Article>(r));
  EXPECT_EQ(std::get<Article>(r).slug, "article");
}

TEST(Article, NamesWhatIsWrongWithABadAnswer) {
  EXPECT_NE(problem_of("not json").find("not JSON"), std::string::npos);
  EXPECT_EQ(problem_of("[1,2]"), "the answer is not a JSON object");
  EXPECT_EQ(problem_of(R"({"body_markdown":"x","meta_description":""})"),
            "field 'title' is missing");
  EXPECT_EQ(problem_of(R"({"title":"t","meta_description":"","body_markdown":"  \n"})"),
            "field 'body_markdown' is empty");
  EXPECT_EQ(problem_of(R"({"title":"t","meta_description":3,"body_markdown":"b"})"),
            "field 'meta_description' is not a string");
  EXPECT_EQ(problem_of(R"({"title":"t","meta_description":"","body_markdown":"b","outline":[1]})"),
            "field 'outline' is not a list of strings");
  EXPECT_EQ(problem_of(R"({"title":"t","meta_description":"","body_markdown":"b"})"), "ok");
}

TEST(Article, ScoresWithTheBrandsKeywordsElseTheArticlesOwn) {
  auto g = boost::json::parse(
      R"({"title":"Coffee","meta_description":"m","body_markdown":"Coffee is good. Tea is fine.",)"
      R"("keywords":["tea"]})");
  auto brand = score_generated(g, boost::json::parse(R"({"keywords":["coffee"]})"));
  ASSERT_EQ(brand.keyword_density.size(), 1u);
  EXPECT_EQ(brand.keyword_density[0].first, "coffee");
  EXPECT_GT(brand.keyword_density[0].second, 0);
  auto own = score_generated(g, nullptr);
  ASSERT_EQ(own.keyword_density.size(), 1u);
  EXPECT_EQ(own.keyword_density[0].first, "tea");
  EXPECT_EQ(own.word_count, 6u);
}

TEST(Article, ScoringToleratesAnyShapeAndRejectsBadThresholds) {
  auto s = score_generated(boost::json::parse(R"({"title":5,"body_markdown":["x"]})"), nullptr);
  EXPECT_EQ(s.word_count, 0u);
  EXPECT_FALSE(s.passes);
  EXPECT_THROW(score_generated(nullptr, boost::json::parse(R"({"min_overall":"high"})")),
               autoblog::content::InvalidInput);
}
