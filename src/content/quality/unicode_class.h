#pragma once
// The character classes the textstat port needs, close to Python's for str patterns:
//   - word character (regex \w): letters, digits and other numerics, underscore;
//   - whitespace (regex \s and str.split()).
// Exact for ASCII and Latin-1; above that, the Unicode blocks of punctuation, symbols, marks,
// emoji and private use are non-word and everything else (the letters of every script) is a word
// character. A full Unicode database would settle the few letters or marks inside mixed blocks
// differently; none of them occur in the English articles this scores.
// Also: UTF-8 decoding that never fails (an invalid byte decodes as U+FFFD, a non-word
// character) and a simple lowercase mapping (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic).
// Thread-safety: pure functions.
#include <cstddef>
#include <string>
#include <string_view>

namespace autoblog::content::quality {

bool is_word_char_above_ascii(char32_t cp);
bool is_space_char_above_ascii(char32_t cp);
char32_t to_lower(char32_t cp);

// Inline for ASCII, which is nearly all of an English article.
inline bool is_word_char(char32_t cp) {
  if (cp >= 0x80) return is_word_char_above_ascii(cp);
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
         cp == '_';
}
inline bool is_space_char(char32_t cp) {
  if (cp >= 0x80) return is_space_char_above_ascii(cp);
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
}

// `text` decoded; U+2018, U+2019 and U+02BC (typographic apostrophes) become '\''.
std::u32string decode_for_counting(std::string_view text);
// The same, appended to `out`.
void decode_for_counting(std::string_view text, std::u32string& out);

void append_utf8(std::string& out, char32_t cp);

}  // namespace autoblog::content::quality
