// The textstat port (content/quality/text_stats.h): words, sentences, syllables and the two
// Flesch formulas against values worked out by hand from textstat 0.7's rules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "content/quality/text_stats.h"
#include "content/quality/unicode_class.h"

namespace autoblog::content::quality {
namespace {

TextCounts counts(const std::string& text) {
  return count_text(text);
}
std::size_t sentences_of(const std::string& text) {
  return count_sentences(decode_for_counting(text));
}

TEST(QualityTextStats, EmptyTextHasNothingAndScoresZeroAsTextstatDoes) {
  const TextCounts c = counts("");
  EXPECT_EQ(c.words, 0u);
  EXPECT_EQ(c.sentences, 0u);
  EXPECT_EQ(c.syllables, 0u);
  EXPECT_EQ(flesch_reading_ease(c), 0.0);
  EXPECT_EQ(flesch_kincaid_grade(c), 0.0);
  // Whitespace or punctuation only: no words, but one sentence (textstat's max(1, ...)).
  EXPECT_EQ(sentences_of("   "), 1u);
  EXPECT_EQ(counts("... !!").words, 0u);
  EXPECT_EQ(flesch_reading_ease(counts("... !!")), 0.0);
}

TEST(QualityTextStats, NoSentenceEndIsOneSentence) {
  // 6 one-syllable words, 1 sentence: ASL 6, ASW 1.
  // FRE = 206.835 - 1.015*6 - 84.6*1 = 116.145; FK = 0.39*6 + 11.8*1 - 15.59 = -1.45.
  const TextCounts c = counts("The cat sat on the mat");
  EXPECT_EQ(c.words, 6u);
  EXPECT_EQ(c.sentences, 1u);
  EXPECT_EQ(c.syllables, 6u);
  EXPECT_NEAR(flesch_reading_ease(c), 116.145, 1e-9);
  EXPECT_NEAR(flesch_kincaid_grade(c), -1.45, 1e-9);
}

TEST(QualityTextStats, OneWord) {
  // "hello" is HH AH0 L OW1: 2 syllables. The only sentence has <= 2 words, so textstat drops
  // it and answers max(1, 0) = 1.
  // FRE = 206.835 - 1.015*1 - 84.6*2 = 36.62; FK = 0.39 + 11.8*2 - 15.59 = 8.4.
  const TextCounts c = counts("Hello");
  EXPECT_EQ(c.words, 1u);
  EXPECT_EQ(c.sentences, 1u);
  EXPECT_EQ(c.syllables, 2u);
  EXPECT_NEAR(flesch_reading_ease(c), 36.62, 1e-9);
  EXPECT_NEAR(flesch_kincaid_grade(c), 8.4, 1e-9);
}

TEST(QualityTextStats, WordsFollowTextstatPunctuationRules) {
  // Hyphens and other punctuation vanish inside words, contractions keep their apostrophe,
  // quotes lose theirs, numbers are words.
  EXPECT_EQ(
      lexicon(std::string_view("A well-known shop's 'great' blend: 100% arabica!")),
      (std::vector<std::string>{"a", "wellknown", "shop's", "great", "blend", "100", "arabica"}));
  EXPECT_EQ(lexicon(std::string_view("Don't -- stop . now")),
            (std::vector<std::string>{"don't", "stop", "now"}));
  EXPECT_EQ(count_words(decode_for_counting("we'll they've you're I'd it's")), 5u);
}

TEST(QualityTextStats, SentenceRuleIgnoresShortFragments) {
  // Matches: "Hi.", "Yes!", "This one counts.", "So does this one?" -> the two of <= 2 words go.
  EXPECT_EQ(sentences_of("Hi. Yes! This one counts. So does this one?"), 2u);
  // "e.g." splits the sentence: "Use a scale, e." (4 words), "g." (1 word, dropped) and
  // "a cheap one, for every shot." (6 words).
  EXPECT_EQ(sentences_of("Use a scale, e.g. a cheap one, for every shot."), 2u);
  // A newline is not a sentence end.
  EXPECT_EQ(sentences_of("one two three\nfour five six"), 1u);
  // Decimal points split, as in textstat.
  const std::u32string text = decode_for_counting("It costs 3.50 dollars.");
  const auto parts = sentences(text);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(parts[0] == U"It costs 3.");
  EXPECT_TRUE(parts[1] == U"50 dollars.");
}

TEST(QualityTextStats, UnicodePunctuation) {
  // “Don’t stop,” she said. The curly quotes are punctuation; the typographic apostrophe reads
  // as an ASCII one, so "don't" is one word found in the dictionary (1 syllable).
  // 4 words, 1 sentence, 4 syllables: FRE = 206.835 - 4.06 - 84.6 = 118.175,
  // FK = 1.56 + 11.8 - 15.59 = -2.23.
  const std::string text =
      "\xE2\x80\x9C"
      "Don\xE2\x80\x99t stop,\xE2\x80\x9D she said.";
  EXPECT_EQ(lexicon(std::string_view(text)),
            (std::vector<std::string>{"don't", "stop", "she", "said"}));
  const TextCounts c = counts(text);
  EXPECT_EQ(c.words, 4u);
  EXPECT_EQ(c.sentences, 1u);
  EXPECT_EQ(c.syllables, 4u);
  EXPECT_NEAR(flesch_reading_ease(c), 118.175, 1e-9);
  EXPECT_NEAR(flesch_kincaid_grade(c), -2.23, 1e-9);
  // An em dash joins the words on both sides into one (textstat removes it without a space);
  // a no-break space separates words.
  EXPECT_EQ(count_words(decode_for_counting("coffee\xE2\x80\x94tea")), 1u);
  EXPECT_EQ(count_words(decode_for_counting("coffee\xC2\xA0tea")), 2u);
  // Accented letters are letters; invalid UTF-8 is punctuation.
  EXPECT_EQ(lexicon(std::string_view("Caf\xC3\x89 cr\xC3\xA8me \xFF")),
            (std::vector<std::string>{"caf\xC3\xA9", "cr\xC3\xA8me"}));
}

// Real English paragraphs. The expected numbers are textstat 0.7's (0.7.6 to 0.7.11, no
// rounding): its regexes applied by hand, syllables from the CMU dictionary (every word of these
// paragraphs is in it, so textstat's Pyphen fallback never runs). Words with other than one
// syllable are listed; all others have one.
TEST(QualityTextStats, MatchesTextstatOnRealParagraphs) {
  // Lincoln, Gettysburg Address, paragraph 1. 30 words, 1 sentence.
  // seven 2, ago 2, our 2, fathers 2, continent 3, nation 2, conceived 2, liberty 3,
  // dedicated 4, proposition 4, created 3, equal 2: 31 + 18 other words = 49 syllables.
  // FRE = 206.835 - 1.015*30 - 84.6*49/30 = 206.835 - 30.45 - 138.18 = 38.205
  // FK  = 0.39*30 + 11.8*49/30 - 15.59 = 11.7 + 19.2733 - 15.59 = 15.3833
  const std::string p1 =
      "Four score and seven years ago our fathers brought forth on this continent, a new "
      "nation, conceived in Liberty, and dedicated to the proposition that all men are created "
      "equal.";
  TextCounts c = counts(p1);
  EXPECT_EQ(c.words, 30u);
  EXPECT_EQ(c.sentences, 1u);
  EXPECT_EQ(c.syllables, 49u);
  EXPECT_NEAR(flesch_reading_ease(c), 38.205, 1e-9);
  EXPECT_NEAR(flesch_kincaid_grade(c), 15.383333, 1e-6);

  // Paragraph 2. 72 words ("battle-field" is one), 4 sentences, ASL 18.
  // engaged 2, civil 2, testing 2, whether 2, nation 2 (x3), any 2, conceived 2, dedicated 4,
  // endure 2, battlefield 3, dedicate 3, portion 2, final 2, resting 2, altogether 4,
  // fitting 2, proper 2: 44 syllables in 19 words + 53 one-syllable words = 97.
  // FRE = 206.835 - 1.015*18 - 84.6*97/72 = 206.835 - 18.27 - 113.975 = 74.59
  // FK  = 0.39*18 + 11.8*97/72 - 15.59 = 7.02 + 15.8972 - 15.59 = 7.3272
  const std::string p2 =
      "Now we are engaged in a great civil war, testing whether that nation, or any nation so "
      "conceived and so dedicated, can long endure. We are met on a great battle-field of that "
      "war. We have come to dedicate a portion of that field, as a final resting place for "
      "those who here gave their lives that that nation might live. It is altogether fitting "
      "and proper that we should do this.";
  c = counts(p2);
  EXPECT_EQ(c.words, 72u);
  EXPECT_EQ(c.sentences, 4u);
  EXPECT_EQ(c.syllables, 97u);
  EXPECT_NEAR(flesch_reading_ease(c), 74.59, 1e-9);
  EXPECT_NEAR(flesch_kincaid_grade(c), 7.327222, 1e-6);

  // Carroll, Alice's Adventures in Wonderland, chapter 1, paragraph 1: one sentence of 57
  // words (the colon and commas do not end it; the curly quotes are dropped).
  // alice 2 (x2), beginning 3, very 2, tired 2, sitting 2, sister 2 (x2), having 2,
  // nothing 2, into 2, reading 2, pictures 2 (x2), conversations 4 (x2), without 2:
  // 39 syllables in 17 words + 40 one-syllable words = 79.
  // FRE = 206.835 - 1.015*57 - 84.6*79/57 = 206.835 - 57.855 - 117.2526 = 31.7274
  // FK  = 0.39*57 + 11.8*79/57 - 15.59 = 22.23 + 16.3544 - 15.59 = 22.9944
  const std::string p3 =
      "Alice was beginning to get very tired of sitting by her sister on the bank, and of "
      "having nothing to do: once or twice she had peeped into the book her sister was "
      "reading, but it had no pictures or conversations in it, \xE2\x80\x98"
      "and what is the "
      "use of a book,\xE2\x80\x99 thought Alice \xE2\x80\x98without pictures or "
      "conversations?\xE2\x80\x99";
  c = counts(p3);
  EXPECT_EQ(c.words, 57u);
  EXPECT_EQ(c.sentences, 1u);
  EXPECT_EQ(c.syllables, 79u);
  EXPECT_NEAR(flesch_reading_ease(c), 31.727368, 1e-6);
  EXPECT_NEAR(flesch_kincaid_grade(c), 22.994386, 1e-6);

  // The three as one text, blank lines between: 159 words, 6 sentences, 225 syllables.
  // FRE = 206.835 - 1.015*26.5 - 84.6*225/159 = 206.835 - 26.8975 - 119.7170 = 60.2205
  c = counts(p1 + "\n\n" + p2 + "\n\n" + p3);
  EXPECT_EQ(c.words, 159u);
  EXPECT_EQ(c.sentences, 6u);
  EXPECT_EQ(c.syllables, 225u);
  EXPECT_NEAR(flesch_reading_ease(c), 60.220519, 1e-6);
  EXPECT_NEAR(flesch_kincaid_grade(c), 11.443113, 1e-6);
}

}  // namespace
}  // namespace autoblog::content::quality
