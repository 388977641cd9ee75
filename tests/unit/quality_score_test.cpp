// The quality scores of an article (content/quality/quality.h): the contract's fields, the
// Yoast checks and their issues, the overall score, thresholds from seo_strategy, the JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "content/errors.h"
#include "content/quality/quality.h"

namespace autoblog::content::quality {
namespace {

// 5 sentences of 10 words each; syllables 14 + 13 + 13 + 12 + 14 = 66 (CMU dictionary:
// tested 2, espresso 3, machine 2, grinder 2, quiet 2, very 2, about 2, thirty 2, seconds 2,
// every 3, cleaning 2, minutes 2, another 3, every other word 1).
const std::string kParagraph =
    "We tested the new espresso machine at home this week. The grinder was quiet and the beans "
    "smelled very fresh. Each shot took about thirty seconds to pull by hand. Milk foam came out "
    "thick, smooth and warm every time. Cleaning took five minutes, so then we made another cup.";

// 20 sections of "## Morning notes" (2 words, 3 syllables) and two such paragraphs: 2 040
// words, 2 700 syllables. The heading has no full stop, so textstat's rule joins it to the
// first sentence after it: 200 sentences.
std::string two_thousand_words() {
  std::string md;
  for (int i = 0; i < 20; ++i)
    md += "## Morning notes\n\n" + kParagraph + "\n\n" + kParagraph + "\n\n";
  return md;
}

Article good_article() {
  return {"Espresso at home: a week with a new machine",  // 43 characters
          "We spent a week with a new espresso machine at home: how the grinder, the shots and "
          "the milk foam held up, and what cleaning takes.",  // 131 characters
          two_thousand_words(),
          {"espresso machine"}};
}

TEST(QualityScore, TwoThousandWordArticle) {
  const Scores s = score(good_article());
  EXPECT_EQ(s.word_count, 2040u);
  EXPECT_EQ(s.sentence_count, 200u);
  // ASL = 2040/200 = 10.2, ASW = 2700/2040 = 1.3235294
  // FRE = 206.835 - 1.015*10.2 - 84.6*1.3235294 = 206.835 - 10.353 - 111.9706 = 84.5114
  // FK  = 0.39*10.2 + 11.8*1.3235294 - 15.59 = 3.978 + 15.6176 - 15.59 = 4.0056
  EXPECT_DOUBLE_EQ(s.flesch_reading_ease, 84.51);
  EXPECT_DOUBLE_EQ(s.flesch_kincaid_grade, 4.01);
  // "espresso machine" twice per section: 40 / 2040 = 1.96 %.
  ASSERT_EQ(s.keyword_density.size(), 1u);
  EXPECT_EQ(s.keyword_density[0].first, "espresso machine");
  EXPECT_DOUBLE_EQ(s.keyword_density[0].second, 1.96);
  EXPECT_EQ(s.heading_count, 20u);
  EXPECT_EQ(s.max_words_per_section, 100u);
  EXPECT_EQ(s.longest_paragraph_words, 50u);
  EXPECT_EQ(s.title_length, 43u);
  EXPECT_EQ(s.meta_description_length, 131u);
  EXPECT_TRUE(s.issues.empty()) << s.issues.front();
  EXPECT_EQ(s.overall, 100);
  EXPECT_TRUE(s.passes);
}

TEST(QualityScore, EmptyArticleScoresZero) {
  const Scores s = score({});
  EXPECT_EQ(s.word_count, 0u);
  EXPECT_EQ(s.sentence_count, 0u);
  EXPECT_EQ(s.flesch_reading_ease, 0.0);
  EXPECT_EQ(s.flesch_kincaid_grade, 0.0);
  EXPECT_EQ(s.heading_count, 0u);
  EXPECT_EQ(s.overall, 0);
  EXPECT_FALSE(s.passes);
  ASSERT_EQ(s.issues.size(), 3u);
  EXPECT_EQ(s.issues[0], "The text is empty.");
  EXPECT_EQ(s.issues[1], "The meta description is missing; write one of 120-156 characters.");
  EXPECT_EQ(s.issues[2], "The title is missing.");
}

TEST(QualityScore, HeadingsOnly) {
  // Text "Espresso at home\n\nGrinding": 4 words, 1 sentence (no full stop), syllables
  // espresso 3 + at 1 + home 1 + grinding 2 = 7.
  // FRE = 206.835 - 1.015*4 - 84.6*7/4 = 206.835 - 4.06 - 148.05 = 54.725
  // FK  = 0.39*4 + 11.8*1.75 - 15.59 = 1.56 + 20.65 - 15.59 = 6.62
  Article a = good_article();
  a.body_markdown = "# Espresso at home\n\n## Grinding\n";
  const Scores s = score(a);
  EXPECT_EQ(s.word_count, 4u);
  EXPECT_EQ(s.sentence_count, 1u);
  EXPECT_NEAR(s.flesch_reading_ease, 54.72, 0.011);  // 54.725 rounds either way in binary
  EXPECT_DOUBLE_EQ(s.flesch_kincaid_grade, 6.62);
  EXPECT_EQ(s.heading_count, 2u);
  EXPECT_EQ(s.max_words_per_section, 0u);
  EXPECT_EQ(s.longest_paragraph_words, 0u);
  EXPECT_FALSE(s.passes);
  // 4 of 300 words: the whole score is scaled by 4/300.
  EXPECT_LE(s.overall, 2);
  EXPECT_EQ(s.issues.front(), "The text has 4 words; aim for at least 300.");
}

TEST(QualityScore, EachFailedCheckIsOneIssue) {
  Article a;
  a.title = std::string(72, 'T');
  a.meta_description = "Too short.";
  // One paragraph of 320 words in one sentence-free run: hard to read (FRE = 206.835 -
  // 1.015*320 - 84.6 < 0), long sentence (100 %), long paragraph, long section, and the
  // keyphrase never appears.
  std::string body;
  for (int i = 0; i < 320; ++i) body += "word ";
  a.body_markdown = body;
  a.keywords = {"espresso machine"};
  const Scores s = score(a);
  EXPECT_EQ(s.word_count, 320u);
  EXPECT_EQ(s.longest_paragraph_words, 320u);
  EXPECT_EQ(s.max_words_per_section, 320u);
  EXPECT_EQ(s.title_length, 72u);
  EXPECT_EQ(s.meta_description_length, 10u);
  const std::vector<std::string> expected = {
      "The Flesch reading ease is 0.0; aim for 60 or more with shorter sentences and shorter "
      "words.",
      "100% of the sentences have more than 20 words; keep that to 25% or less.",
      "The longest paragraph has 320 words; keep paragraphs to 150 words or fewer.",
      "A section has 320 words without a subheading; add subheadings so that none runs over "
      "300 words.",
      "The keyphrase \"espresso machine\" appears 0 times in 320 words (0.00%); aim for 0.5-3%.",
      "The meta description has 10 characters; aim for 120-156.",
      "The title has 72 characters; keep it to 60 or fewer so that search results show it "
      "whole.",
  };
  EXPECT_EQ(s.issues, expected);
  EXPECT_FALSE(s.passes);
}

TEST(QualityScore, KeyphrasesAreMatchedAsWordSequencesIgnoringCase) {
  Article a = good_article();
  a.body_markdown =
      "Espresso Machine reviews: the ESPRESSO machine we like, not the espresso-machine or "
      "the espresso grinder machine.";
  a.keywords = {"espresso machine", "Espresso MACHINE", "  ", "grinder"};
  const Scores s = score(a);
  // Words: Espresso Machine reviews the ESPRESSO machine we like not the espressomachine or the
  // espresso grinder machine = 16.
  EXPECT_EQ(s.word_count, 16u);
  ASSERT_EQ(s.keyword_density.size(), 2u);  // the second spelling and the blank one are dropped
  EXPECT_EQ(s.keyword_density[0].first, "espresso machine");
  EXPECT_DOUBLE_EQ(s.keyword_density[0].second, 12.5);  // 2 / 16
  EXPECT_EQ(s.keyword_density[1].first, "grinder");
  EXPECT_DOUBLE_EQ(s.keyword_density[1].second, 6.25);  // 1 / 16
}

TEST(QualityScore, WordsMissingFromTheDictionaryUseTheEstimate) {
  Article a = good_article();
  // zorbulent (3, estimated) baristabot (4, estimated) hums (1): 8 syllables, 3 words,
  // 1 sentence. FK = 0.39*3 + 11.8*8/3 - 15.59 = 1.17 + 31.4667 - 15.59 = 17.05
  a.body_markdown = "Zorbulent baristabot hums.";
  const Scores s = score(a);
  EXPECT_EQ(s.word_count, 3u);
  EXPECT_DOUBLE_EQ(s.flesch_kincaid_grade, 17.05);
  // FRE = 206.835 - 3.045 - 225.6 = -21.81, clamped to 0.
  EXPECT_EQ(s.flesch_reading_ease, 0.0);
}

TEST(QualityScore, TitleAndMetaCountCharactersNotBytes) {
  Article a = good_article();
  a.title = "  Caf\xC3\xA9 cr\xC3\xA8me \xE2\x80\x94 na\xC3\xAFve  ";
  EXPECT_EQ(score(a).title_length, 18u);  // "Café crème — naïve", spaces around trimmed
}

TEST(QualityScore, ScoringIsDeterministic) {
  const Article a = good_article();
  EXPECT_EQ(boost::json::serialize(score(a).to_json()), boost::json::serialize(score(a).to_json()));
}

TEST(QualityScore, JsonHasExactlyTheContractFields) {
  const boost::json::object o = score(good_article()).to_json();
  const std::vector<std::string> keys = {"word_count",
                                         "sentence_count",
                                         "flesch_reading_ease",
                                         "flesch_kincaid_grade",
                                         "keyword_density",
                                         "heading_count",
                                         "max_words_per_section",
                                         "longest_paragraph_words",
                                         "title_length",
                                         "meta_description_length",
                                         "overall",
                                         "passes",
                                         "issues"};
  ASSERT_EQ(o.size(), keys.size());
  for (const std::string& k : keys) EXPECT_TRUE(o.contains(k)) << k;
  EXPECT_EQ(o.at("word_count").to_number<long long>(), 2040);
  EXPECT_DOUBLE_EQ(o.at("keyword_density").at("espresso machine").as_double(), 1.96);
  EXPECT_EQ(o.at("overall").to_number<long long>(), 100);
  EXPECT_TRUE(o.at("passes").as_bool());
  EXPECT_TRUE(o.at("issues").as_array().empty());
}

TEST(QualityThresholds, DefaultsAndBrandOverrides) {
  const Thresholds d = parse_thresholds(boost::json::value(nullptr));
  EXPECT_EQ(d.min_overall, 70);
  EXPECT_EQ(d.max_title_length, 60);
  const Thresholds t = parse_thresholds(boost::json::parse(
      R"({"keywords": ["espresso machine"], "min_overall": 85, "max_title_length": 70,
          "min_words": null, "unknown": "kept elsewhere"})"));
  EXPECT_EQ(t.min_overall, 85);
  EXPECT_EQ(t.max_title_length, 70);
  EXPECT_EQ(t.min_words, 300);

  // The same article passes or not depending on the brand's pass mark.
  Article a = good_article();
  a.title = std::string(90, 'T');  // too long: the score drops below 100
  const Scores lenient = score(a, parse_thresholds(boost::json::parse(R"({"min_overall": 50})")));
  const Scores strict = score(a, parse_thresholds(boost::json::parse(R"({"min_overall": 99})")));
  EXPECT_EQ(lenient.overall, strict.overall);
  EXPECT_LT(strict.overall, 99);
  EXPECT_TRUE(lenient.passes);
  EXPECT_FALSE(strict.passes);
}

TEST(QualityThresholds, InvalidValuesAreClearInputErrors) {
  const auto message = [](const char* json) -> std::string {
    try {
      parse_thresholds(boost::json::parse(json));
    } catch (const InvalidInput& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(message(R"("strict")"), "seo_strategy must be an object");
  EXPECT_EQ(message(R"({"min_overall": "high"})"), "seo_strategy.min_overall must be a number");
  EXPECT_EQ(message(R"({"min_overall": 101})"), "seo_strategy.min_overall must be from 0 to 100");
  EXPECT_EQ(message(R"({"max_title_length": 0})"),
            "seo_strategy.max_title_length must be from 1 to 1e+06");
  EXPECT_EQ(message(R"({"min_keyword_density": 4})"),
            "seo_strategy.min_keyword_density must not exceed max_keyword_density");
  EXPECT_EQ(message(R"({"min_meta_description_length": 200})"),
            "seo_strategy.min_meta_description_length must not exceed "
            "max_meta_description_length");
  EXPECT_EQ(message(R"({"min_overall": 0})"), "accepted");
}

}  // namespace
}  // namespace autoblog::content::quality

namespace autoblog::content::quality {
namespace {

// Arbitrary bytes (Markdown marks, UTF-8 pieces, invalid bytes) never break the scorer and
// always give values in range. A fixed seed keeps the inputs the same from run to run.
TEST(QualityScore, ArbitraryInputStaysInRange) {
  const std::vector<std::string> pieces = {"word ",
                                           "Word. ",
                                           "#",
                                           "# ",
                                           "\n",
                                           "\n\n",
                                           "- ",
                                           "1. ",
                                           "> ",
                                           "```\n",
                                           "`",
                                           "[",
                                           "]",
                                           "(",
                                           ")",
                                           "!",
                                           "?",
                                           "<",
                                           ">",
                                           "&amp;",
                                           "&#",
                                           ";",
                                           "*",
                                           "_",
                                           "~",
                                           "|",
                                           "---\n",
                                           "===\n",
                                           "\\",
                                           "'",
                                           "\xE2\x80\x99",
                                           "\xE2\x80\x9C",
                                           "\xC3\xA9",
                                           "\xFF",
                                           "\xE2\x80",
                                           " ",
                                           "\t",
                                           "espresso ",
                                           "machine ",
                                           "3.5 ",
                                           "e.g. ",
                                           "\r\n"};
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  const auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int round = 0; round < 300; ++round) {
    Article a;
    const std::size_t n = next() % 400;
    for (std::size_t i = 0; i < n; ++i) a.body_markdown += pieces[next() % pieces.size()];
    for (std::size_t i = 0; i < next() % 8; ++i) a.title += pieces[next() % pieces.size()];
    a.keywords = {pieces[next() % pieces.size()], "espresso machine"};
    const Scores s = score(a);
    ASSERT_GE(s.overall, 0) << a.body_markdown;
    ASSERT_LE(s.overall, 100) << a.body_markdown;
    ASSERT_GE(s.flesch_reading_ease, 0.0);
    ASSERT_LE(s.flesch_reading_ease, 100.0);
    ASSERT_LE(s.longest_paragraph_words, s.word_count);
    ASSERT_LE(s.max_words_per_section, s.word_count);
    // The JSON is always serialisable (valid UTF-8 in the issues and keys).
    const std::string json = boost::json::serialize(s.to_json());
    ASSERT_NO_THROW(boost::json::parse(json)) << json;
  }
}

}  // namespace
}  // namespace autoblog::content::quality
