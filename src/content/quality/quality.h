#pragma once
// Quality scores of a generated article (docs/quality.md): readability as textstat 0.7 computes
// it, with the CMU Pronouncing Dictionary for syllables, and SEO and readability checks with
// Yoast's published thresholds. The result is stored in the content item's `quality_scores`.
//
// Pure and deterministic: no I/O, no clock, no shared mutable state, so it is safe to call from
// any thread at any time, and the same article always gets the same scores. Scoring a
// 2 000-word article takes well under a millisecond (bench/quality_bench.cpp).
#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace autoblog::content::quality {

struct Article {
  std::string title;
  std::string meta_description;
  std::string body_markdown;
  std::vector<std::string> keywords;  // target keyphrases, e.g. the brand's SEO keywords
};

// What an article must reach. The defaults are Yoast's published thresholds and a pass mark of
// 70; a brand may change any of them in its `seo_strategy` (parse_thresholds).
struct Thresholds {
  double min_overall = 70;              // overall score needed to pass, 0-100
  double min_words = 300;               // text length
  double max_long_sentence_share = 25;  // percent of sentences over 20 words
  double max_paragraph_words = 150;
  double max_section_words = 300;    // words under one heading (or before the first)
  double min_keyword_density = 0.5;  // percent, checked for texts of 100 words or more
  double max_keyword_density = 3;
  double min_meta_description_length = 120;  // characters
  double max_meta_description_length = 156;
  double max_title_length = 60;
  double min_flesch_reading_ease = 60;  // 60-70 is "plain English"
};

// The thresholds a brand set in its seo_strategy object (unknown keys are ignored; a missing or
// null seo_strategy gives the defaults). Throws content::InvalidInput naming the key when a
// value is not a number in its range (min_overall 0-100, lengths and counts >= 1, percentages
// 0-100, densities with min <= max).
Thresholds parse_thresholds(const boost::json::value& seo_strategy);

struct Scores {
  std::size_t word_count = 0;
  std::size_t sentence_count = 0;
  double flesch_reading_ease = 0;   // clamped to 0-100, 2 decimals
  double flesch_kincaid_grade = 0;  // 2 decimals, not clamped (short easy texts go below 0)
  // Per target keyphrase, in the order given (duplicates, compared case-insensitively, once):
  // occurrences / words x 100, 2 decimals.
  std::vector<std::pair<std::string, double>> keyword_density;
  std::size_t heading_count = 0;
  std::size_t max_words_per_section = 0;
  std::size_t longest_paragraph_words = 0;
  std::size_t title_length = 0;             // characters (Unicode code points)
  std::size_t meta_description_length = 0;  // characters
  int overall = 0;                          // 0-100
  bool passes = false;                      // overall >= thresholds.min_overall
  std::vector<std::string> issues;          // one readable sentence per failed check

  // {"word_count", ..., "keyword_density": {"keyphrase": percent}, ..., "issues": [...]}
  boost::json::object to_json() const;
};

Scores score(const Article& article, const Thresholds& thresholds = {});

}  // namespace autoblog::content::quality
