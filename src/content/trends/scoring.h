#pragma once
// How well a feed entry fits a brand, and the key that makes two near-identical titles one.
//
// Terms: the brand's `topics` and `seo_strategy.keywords` (strings; others ignored), each cut
// into words, duplicates (same words) kept once, in brand order: topics first.
// Words: maximal runs of word characters (letters and digits of any script, '_'), lower case,
// with one trailing "s" dropped from words longer than three characters ("machines" and
// "machine" are the same word; applied alike to terms and text).
// Score of an entry: for every term whose words appear consecutively in the title, 3 points; in
// the summary, 1 point (both: 4). `matched` lists those terms as the brand wrote them. Entirely
// a function of the entry and the brand: the same feed scores the same on every run.
// Pure functions: thread-safe.
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::content::trends {

inline constexpr int kTitlePoints = 3;
inline constexpr int kSummaryPoints = 1;
// A title key shorter than this is too generic ("News", "Update 3") to call two titles the same.
inline constexpr std::size_t kMinTitleKeyBytes = 12;

struct Term {
  std::string text;                // as the brand wrote it
  std::vector<std::string> words;  // never empty
};

struct EntryScore {
  int score = 0;
  std::vector<std::string> matched;
};

std::vector<std::string> words_of(std::string_view text);

std::vector<Term> brand_terms(const boost::json::value& topics,
                              const boost::json::value& seo_strategy);

EntryScore score_entry(std::string_view title, std::string_view summary,
                       const std::vector<Term>& terms);

// The title's words joined by single spaces ("The Best Espresso Machines!" and "the best
// espresso machine" give the same key); nullopt when shorter than kMinTitleKeyBytes.
std::optional<std::string> title_key(std::string_view title);

}  // namespace autoblog::content::trends
