#pragma once
// Word, sentence and syllable counts as textstat 0.7 (0.7.6 to 0.7.11, the Python library most
// SEO tools quote) computes them, so that our Flesch scores agree with the figures people
// compare against. The rules, ported from its source:
//   - words ("lexicon count"): drop every apostrophe not followed by t, s, d, ve, ll or re
//     (so contractions survive and quotes do not), drop every other character that is neither a
//     word character (letter, digit, underscore) nor whitespace, split on whitespace. Hyphenated
//     words and contractions are one word each ("well-known" reads as "wellknown");
//   - sentences: the matches of \b[^.!?]+[.!?]* in the raw text, less those of at most two
//     words, and at least 1 for a non-empty text;
//   - syllables: per lowercased word, the CMU Pronouncing Dictionary's count (syllables.h),
//     else a heuristic estimate.
// One deliberate difference: the typographic apostrophes ’ ‘ and ʼ count as the ASCII one.
// textstat deletes them as punctuation, so it looks up "dont" for "don’t" and misses; we look up
// "don't", as the writer meant. Word and sentence counts are the same either way.
// "Word character" and "whitespace" follow Python's Unicode rules closely (unicode_class.h).
// Thread-safety: pure functions. Ownership: results are plain values owned by the caller.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::content::quality {

// `text` as textstat's remove_punctuation leaves it (apostrophe rule, then everything that is
// neither a word character, whitespace nor a kept apostrophe dropped).
std::u32string remove_punctuation(std::u32string_view text);

// The words of a text, lowercased, as UTF-8: one buffer for all of them, so that listing the
// 2 000 words of an article costs two allocations, not 2 000.
class WordList {
 public:
  std::size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(chars_).substr(begin, ends_[i] - begin);
  }
  void reserve(std::size_t words, std::size_t bytes) {
    ends_.reserve(words);
    chars_.reserve(bytes);
  }
  std::string& chars() { return chars_; }  // append a word's bytes, then end_word()
  void end_word() { ends_.push_back(chars_.size()); }

 private:
  std::string chars_;
  std::vector<std::size_t> ends_;
};

// The words of `text`: lowercased (unicode_class.h), punctuation removed.
WordList words_of(std::u32string_view text);

// The same as strings (for tests and short texts such as keyphrases).
std::vector<std::string> lexicon(std::u32string_view text);
std::vector<std::string> lexicon(std::string_view utf8_text);

// The number of words lexicon(text) would return, without building them.
std::size_t count_words(std::u32string_view text);

// textstat's raw sentences: every match of \b[^.!?]+[.!?]* in `text`, short ones included, as
// views into it.
std::vector<std::u32string_view> sentences(std::u32string_view text);

// textstat's sentence count: sentences() less those of at most two words; 0 for an empty text,
// else at least 1.
std::size_t count_sentences(std::u32string_view text);

// The syllables of the words of lexicon(), summed.
std::size_t count_syllables(const WordList& words);

struct TextCounts {
  std::size_t words = 0;
  std::size_t sentences = 0;
  std::size_t syllables = 0;
};
// All three counts of a UTF-8 text at once (decoded as decode_for_counting does).
TextCounts count_text(std::string_view utf8_text);

// textstat's Flesch reading ease and Flesch–Kincaid grade from the counts, unrounded and
// unclamped; 0 when there are no words or no syllables, as textstat answers.
double flesch_reading_ease(const TextCounts& c);
double flesch_kincaid_grade(const TextCounts& c);

}  // namespace autoblog::content::quality
