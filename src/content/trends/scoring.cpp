#include "content/trends/scoring.h"

#include <algorithm>
#include <boost/json/value.hpp>

#include "content/quality/unicode_class.h"

namespace autoblog::content::trends {

namespace json = boost::json;

namespace {

void finish_word(std::u32string& word, std::vector<std::string>& out) {
  if (word.empty()) return;
  if (word.size() > 3 && word.back() == U's') word.pop_back();
  std::string utf8;
  for (char32_t cp : word) quality::append_utf8(utf8, cp);
  out.push_back(std::move(utf8));
  word.clear();
}

bool contains(const std::vector<std::string>& text, const std::vector<std::string>& words) {
  if (words.empty() || words.size() > text.size()) return false;
  return std::search(text.begin(), text.end(), words.begin(), words.end()) != text.end();
}

void add_terms(const json::value* list, std::vector<Term>& out) {
  const json::array* a = list ? list->if_array() : nullptr;
  if (a == nullptr) return;
  for (const json::value& v : *a) {
    const json::string* s = v.if_string();
    if (s == nullptr) continue;
    Term t{std::string(*s), words_of(*s)};
    if (t.words.empty()) continue;
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const Term& other) { return other.words == t.words; });
    if (!seen) out.push_back(std::move(t));
  }
}

}  // namespace

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::u32string word;
  for (char32_t cp : quality::decode_for_counting(text)) {
    if (quality::is_word_char(cp)) {
      word += quality::to_lower(cp);
    } else {
      finish_word(word, out);
    }
  }
  finish_word(word, out);
  return out;
}

std::vector<Term> brand_terms(const json::value& topics, const json::value& seo_strategy) {
  std::vector<Term> out;
  add_terms(&topics, out);
  const json::object* seo = seo_strategy.if_object();
  add_terms(seo ? seo->if_contains("keywords") : nullptr, out);
  return out;
}

EntryScore score_entry(std::string_view title, std::string_view summary,
                       const std::vector<Term>& terms) {
  EntryScore s;
  if (terms.empty()) return s;
  const auto title_words = words_of(title);
  const auto summary_words = words_of(summary);
  for (const Term& t : terms) {
    int points = 0;
    if (contains(title_words, t.words)) points += kTitlePoints;
    if (contains(summary_words, t.words)) points += kSummaryPoints;
    if (points == 0) continue;
    s.score += points;
    s.matched.push_back(t.text);
  }
  return s;
}

std::optional<std::string> title_key(std::string_view title) {
  std::string key;
  for (const std::string& w : words_of(title)) {
    if (!key.empty()) key += ' ';
    key += w;
  }
  if (key.size() < kMinTitleKeyBytes) return std::nullopt;
  return key;
}

}  // namespace autoblog::content::trends
