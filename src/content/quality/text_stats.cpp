#include "content/quality/text_stats.h"

#include "content/quality/syllables.h"
#include "content/quality/unicode_class.h"

namespace autoblog::content::quality {
namespace {

// textstat keeps an apostrophe when what follows it starts with t, s, d, ve, ll or re
// (lowercase, no word-boundary check): "don't", "it's", "we'd", "they've", "we'll", "you're".
bool contraction_follows(std::u32string_view text, std::size_t apostrophe) {
  const std::size_t i = apostrophe + 1;
  if (i >= text.size()) return false;
  const char32_t a = text[i];
  if (a == 't' || a == 's' || a == 'd') return true;
  if (i + 1 >= text.size()) return false;
  const char32_t b = text[i + 1];
  return (a == 'v' && b == 'e') || (a == 'l' && b == 'l') || (a == 'r' && b == 'e');
}

bool survives(std::u32string_view text, std::size_t i) {
  const char32_t c = text[i];
  return is_word_char(c) || (c == '\'' && contraction_follows(text, i));
}

bool is_terminator(char32_t c) {
  return c == '.' || c == '!' || c == '?';
}

}  // namespace

std::u32string remove_punctuation(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (survives(text, i) || is_space_char(text[i])) out.push_back(text[i]);
  }
  return out;
}

WordList words_of(std::u32string_view text) {
  WordList words;
  words.reserve(count_words(text), text.size());
  bool in_word = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || is_space_char(text[i])) {
      if (in_word) words.end_word();
      in_word = false;
    } else if (survives(text, i)) {
      append_utf8(words.chars(), to_lower(text[i]));
      in_word = true;
    }
  }
  return words;
}

std::vector<std::string> lexicon(std::u32string_view text) {
  const WordList words = words_of(text);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words.size(); ++i) out.emplace_back(words[i]);
  return out;
}

std::vector<std::string> lexicon(std::string_view utf8_text) {
  return lexicon(decode_for_counting(utf8_text));
}

std::size_t count_words(std::u32string_view text) {
  std::size_t n = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_space_char(text[i])) {
      in_word = false;
    } else if (!in_word && survives(text, i)) {
      in_word = true;
      ++n;
    }
  }
  return n;
}

std::vector<std::u32string_view> sentences(std::u32string_view text) {
  // findall(r"\b[^.!?]+[.!?]*"): try each position left to right; a match needs a word
  // boundary there and one non-terminator, then takes every non-terminator (newlines included)
  // and the run of terminators after them. No backtracking is ever needed.
  std::vector<std::u32string_view> out;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const bool before = i > 0 && is_word_char(text[i - 1]);
    const bool boundary = before != is_word_char(text[i]);
    if (!boundary || is_terminator(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && !is_terminator(text[j])) ++j;
    while (j < n && is_terminator(text[j])) ++j;
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::size_t count_sentences(std::u32string_view text) {
  if (text.empty()) return 0;
  std::size_t kept = 0;
  for (std::u32string_view s : sentences(text)) {
    if (count_words(s) > 2) ++kept;
  }
  return kept == 0 ? 1 : kept;
}

std::size_t count_syllables(const WordList& words) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < words.size(); ++i) n += syllables(words[i]);
  return n;
}

TextCounts count_text(std::string_view utf8_text) {
  const std::u32string text = decode_for_counting(utf8_text);
  const WordList words = words_of(text);
  return {words.size(), count_sentences(text), count_syllables(words)};
}

double flesch_reading_ease(const TextCounts& c) {
  if (c.words == 0 || c.sentences == 0 || c.syllables == 0) return 0.0;
  const double words_per_sentence = static_cast<double>(c.words) / static_cast<double>(c.sentences);
  const double syllables_per_word = static_cast<double>(c.syllables) / static_cast<double>(c.words);
  return 206.835 - 1.015 * words_per_sentence - 84.6 * syllables_per_word;
}

double flesch_kincaid_grade(const TextCounts& c) {
  if (c.words == 0 || c.sentences == 0 || c.syllables == 0) return 0.0;
  const double words_per_sentence = static_cast<double>(c.words) / static_cast<double>(c.sentences);
  const double syllables_per_word = static_cast<double>(c.syllables) / static_cast<double>(c.words);
  return 0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59;
}

}  // namespace autoblog::content::quality
