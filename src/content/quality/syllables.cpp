#include "content/quality/syllables.h"

#include <array>
#include <string>

#include "content/quality/unicode_class.h"

namespace autoblog::content::quality {
namespace detail {
// Generated at build time from cmudict_syllables.txt (cmake/embed_cmudict.cmake).
extern const char kCmudictTable[];
extern const std::size_t kCmudictTableSize;
}  // namespace detail

namespace {

// The table's lines ("word count\n"), the '#' header skipped. Positions are offsets into it.
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
    // bucket_[c] = the first line whose word is >= the one-byte string c, so the words that
    // start with byte c lie in [bucket_[c], bucket_[c + 1]).
    for (std::size_t c = 0; c < 256; ++c) {
      const char key = static_cast<char>(c);
      bucket_[c] = lower_bound(std::string_view(&key, 1), 0, text_.size());
    }
    bucket_[256] = text_.size();
    for (std::size_t i = 0; i < text_.size(); ++i) lines_ += text_[i] == '\n';
  }

  std::optional<std::size_t> find(std::string_view word) const {
    if (word.empty()) return std::nullopt;
    const auto c = static_cast<unsigned char>(word[0]);
    const std::size_t pos = lower_bound(word, bucket_[c], bucket_[c + 1]);
    if (pos >= bucket_[c + 1] || key_at(pos) != word) return std::nullopt;
    std::size_t n = 0;
    for (std::size_t i = pos + word.size() + 1; i < text_.size() && text_[i] != '\n'; ++i) {
      n = n * 10 + static_cast<std::size_t>(text_[i] - '0');
    }
    return n;
  }

  std::size_t lines() const { return lines_; }

 private:
  std::string_view key_at(std::size_t line_start) const {
    const std::size_t sp = text_.find(' ', line_start);
    return text_.substr(line_start, sp - line_start);
  }
  std::size_t line_start(std::size_t pos) const {
    while (pos > 0 && text_[pos - 1] != '\n') --pos;
    return pos;
  }
  std::size_t next_line(std::size_t pos) const {
    const std::size_t nl = text_.find('\n', pos);
    return nl == std::string_view::npos ? text_.size() : nl + 1;
  }
  // The first line in [lo, hi) (both line starts) whose word is >= key, else hi: a binary search
  // over bytes that snaps each probe back to the start of its line.
  std::size_t lower_bound(std::string_view key, std::size_t lo, std::size_t hi) const {
    while (lo < hi) {
      const std::size_t s = line_start(lo + (hi - lo) / 2);
      if (key_at(s) < key) {
        lo = next_line(s);
      } else {
        hi = s;
      }
    }
    return lo;
  }

  std::string_view text_;
  std::array<std::size_t, 257> bucket_{};
  std::size_t lines_ = 0;
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
