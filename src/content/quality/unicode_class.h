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

bool is_word_char(char32_t cp);
bool is_space_char(char32_t cp);
char32_t to_lower(char32_t cp);

// `text` decoded; U+2018, U+2019 and U+02BC (typographic apostrophes) become '\''.
std::u32string decode_for_counting(std::string_view text);

void append_utf8(std::string& out, char32_t cp);

}  // namespace autoblog::content::quality
