#include "content/quality/syllables.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "content/quality/unicode_class.h"

namespace autoblog::content::quality {
namespace detail {
// Generated at build time from cmudict_syllables.txt (cmake/embed_cmudict.cmake).
extern const char kCmudictTable[];
extern const std::size_t kCmudictTableSize;
}  // namespace detail

namespace {

// The table's lines ("word count\n"), the '#' header skipped, and where each one starts.
class Table {
 public:
  Table() {
    std::string_view all(detail::kCmudictTable, detail::kCmudictTableSize);
    std::size_t start = 0;
    while (start < all.size() && all[start] == '#') {
      const std::size_t nl = all.find('\n', start);
      start = nl == std::string_view::npos ? all.size() : nl + 1;
    }
    text_ = all.substr(start);
    // One pass over the text finds where each line starts and fills the jump table: bucket_[k]
    // is the index of the first line whose two-character prefix code is >= k (lines are
    // sorted, and so are their prefix codes).
    line_.reserve(text_.size() / 9);
    std::size_t next = 0;
    for (std::size_t pos = 0; pos < text_.size(); pos = next_line(pos)) {
      const std::size_t k = prefix_code(key_at(pos));
      while (next <= k) bucket_[next++] = static_cast<std::uint32_t>(line_.size());
      line_.push_back(static_cast<std::uint32_t>(pos));
    }
    while (next < bucket_.size()) bucket_[next++] = static_cast<std::uint32_t>(line_.size());
  }

  std::optional<std::size_t> find(std::string_view word) const {
    const std::size_t k = prefix_code(word);
    if (k == kNoCode) return std::nullopt;
    const auto first = line_.begin() + bucket_[k];
    const auto last = line_.begin() + bucket_[k + 1];
    const auto it =
        std::lower_bound(first, last, word,
                         [this](std::uint32_t pos, std::string_view w) { return key_at(pos) < w; });
    if (it == last || key_at(*it) != word) return std::nullopt;
    std::size_t n = 0;
    for (std::size_t i = *it + word.size() + 1; i < text_.size() && text_[i] != '\n'; ++i) {
      n = n * 10 + static_cast<std::size_t>(text_[i] - '0');
    }
    return n;
  }

  std::size_t lines() const { return line_.size(); }

 private:
  std::string_view key_at(std::size_t line_start) const {
    const std::size_t sp = text_.find(' ', line_start);
    return text_.substr(line_start, sp - line_start);
  }
  std::size_t next_line(std::size_t pos) const {
    const std::size_t nl = text_.find('\n', pos);
    return nl == std::string_view::npos ? text_.size() : nl + 1;
  }

  // Words use 39 byte values: ' 0-9 _ a-z. A prefix code numbers the first two bytes (0 for a
  // missing second byte), in the same order as the bytes sort.
  static constexpr std::size_t kSymbols = 39;
  static constexpr std::size_t kNoCode = kSymbols * kSymbols;
  static std::size_t symbol(char c) {
    if (c == '\'') return 1;
    if (c >= '0' && c <= '9') return 2 + static_cast<std::size_t>(c - '0');
    if (c == '_') return 12;
    if (c >= 'a' && c <= 'z') return 13 + static_cast<std::size_t>(c - 'a');
    return kNoCode;
  }
  static std::size_t prefix_code(std::string_view w) {
    if (w.empty()) return kNoCode;
    const std::size_t a = symbol(w[0]);
    const std::size_t b = w.size() > 1 ? symbol(w[1]) : 0;
    if (a == kNoCode || b == kNoCode) return kNoCode;
    return a * kSymbols + b;
  }

  std::string_view text_;
  std::vector<std::uint32_t> line_;  // where each line starts, in table order
  std::array<std::uint32_t, kNoCode + 1> bucket_{};
};

const Table& table() {
  static const Table t;
  return t;
}

bool is_vowel(char32_t c) {
  switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
      return true;
    default:
      return (c >= 0xE0 && c <= 0xE6) || (c >= 0xE8 && c <= 0xEF) || (c >= 0xF2 && c <= 0xF6) ||
             c == 0xF8 || (c >= 0xF9 && c <= 0xFD) || c == 0xFF;
  }
}

bool is_consonant(char32_t c) {
  return c >= 'a' && c <= 'z' && !is_vowel(c);
}

}  // namespace

std::optional<std::size_t> dictionary_syllables(std::string_view lowercase_word) {
  return table().find(lowercase_word);
}

std::size_t dictionary_size() {
  return table().lines();
}

std::size_t estimate_syllables(std::string_view lowercase_word) {
  std::u32string w;
  for (char32_t c : decode_for_counting(lowercase_word)) {
    if (c != '\'') w.push_back(c);  // "o'clock", "rock'n'roll": the apostrophe is silent
  }
  const std::size_t n = w.size();
  std::size_t groups = 0;
  std::size_t last_group_start = 0;
  std::size_t last_group_len = 0;
  for (std::size_t i = 0; i < n;) {
    // "y" before a vowel at the start of a word is a consonant ("yes", "young").
    const bool vowel = is_vowel(w[i]) && !(i == 0 && w[i] == 'y' && n > 1 && is_vowel(w[1]));
    if (!vowel) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < n && is_vowel(w[i])) ++i;
    ++groups;
    last_group_start = start;
    last_group_len = i - start;
  }
  if (groups > 1 && last_group_len == 1 && w[last_group_start] == 'e') {
    const std::size_t e = last_group_start;
    const char32_t before = e > 0 ? w[e - 1] : 0;
    if (e == n - 1) {
      // A silent final "e" ("make"), but "-le" after a consonant is a syllable ("table").
      if (!(before == 'l' && e >= 2 && is_consonant(w[e - 2]))) --groups;
    } else if (e == n - 2 && w[n - 1] == 's') {
      // "-es" is silent unless a sibilant precedes it ("makes" but "boxes", "pages").
      const bool sibilant = before == 's' || before == 'x' || before == 'z' || before == 'c' ||
                            before == 'g' ||
                            (before == 'h' && e >= 2 && (w[e - 2] == 'c' || w[e - 2] == 's'));
      if (!sibilant && is_consonant(before)) --groups;
    } else if (e == n - 2 && w[n - 1] == 'd') {
      // "-ed" is silent unless t or d precedes it ("jumped" but "wanted").
      if (is_consonant(before) && before != 't' && before != 'd') --groups;
    }
  }
  return groups == 0 ? 1 : groups;
}

std::size_t syllables(std::string_view lowercase_word) {
  if (auto n = dictionary_syllables(lowercase_word)) return *n;
  return estimate_syllables(lowercase_word);
}

}  // namespace autoblog::content::quality
