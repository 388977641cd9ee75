// Syllables (content/quality/syllables.h): the compiled-in CMU dictionary and the estimate for
// words it lacks.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "content/quality/syllables.h"

namespace autoblog::content::quality {
namespace {

TEST(QualitySyllables, DictionaryHasTheFirstPronunciation) {
  EXPECT_EQ(dictionary_size(), 124920u);            // tools/cmudict-table.mjs's count for 3.0.0
  EXPECT_EQ(dictionary_syllables("espresso"), 3u);  // EH0 S P R EH1 S OW0
  EXPECT_EQ(dictionary_syllables("every"), 3u);     // EH1 V ER0 IY0 (not "every(2)")
  EXPECT_EQ(dictionary_syllables("our"), 2u);       // AW1 ER0
  EXPECT_EQ(dictionary_syllables("don't"), 1u);
  EXPECT_EQ(dictionary_syllables("'bout"), 1u);    // the first line of the table
  EXPECT_EQ(dictionary_syllables("a"), 1u);        // the first word starting with a letter
  EXPECT_EQ(dictionary_syllables("zywicki"), 3u);  // the last line of the table
  EXPECT_EQ(dictionary_syllables("hmm"), 0u);      // no vowel phoneme: 0, as textstat counts
  EXPECT_FALSE(dictionary_syllables("Espresso"));  // lookups are lowercase
  EXPECT_FALSE(dictionary_syllables("espress"));
  EXPECT_FALSE(dictionary_syllables("espressoo"));
  EXPECT_FALSE(dictionary_syllables(""));
  EXPECT_FALSE(dictionary_syllables("a.m."));  // punctuated entries are not kept
  EXPECT_FALSE(dictionary_syllables("\xC3\xA9t\xC3\xA9"));
}

TEST(QualitySyllables, EstimateForWordsTheDictionaryLacks) {
  ASSERT_FALSE(dictionary_syllables("zorbulent"));
  ASSERT_FALSE(dictionary_syllables("blorfed"));
  ASSERT_FALSE(dictionary_syllables("snorkable"));
  ASSERT_FALSE(dictionary_syllables("baristabot"));
  EXPECT_EQ(syllables("zorbulent"), 3u);          // o, u, e
  EXPECT_EQ(syllables("snorkable"), 3u);          // o, a, e: "-le" after a consonant is a syllable
  EXPECT_EQ(syllables("blorfed"), 1u);            // o, e: "-ed" after f is silent
  EXPECT_EQ(syllables("baristabot"), 4u);         // a, i, a, o
  EXPECT_EQ(estimate_syllables("glimpted"), 2u);  // "-ed" after t is spoken
  EXPECT_EQ(estimate_syllables("frakes"), 1u);    // silent "-es"
  EXPECT_EQ(estimate_syllables("fraxes"), 2u);    // "-es" after x is spoken
  EXPECT_EQ(estimate_syllables("yarbo"), 2u);     // initial y before a vowel is a consonant
  EXPECT_EQ(estimate_syllables("2024"), 1u);      // no vowel at all: 1, like Pyphen
  EXPECT_EQ(estimate_syllables("caf\xC3\xA9"), 2u);  // accented vowels are vowels
  EXPECT_EQ(estimate_syllables("o'blorf"), 2u);
}

// How often the estimate agrees with the dictionary on the dictionary's own words: a measure
// of what a missing word costs, kept from getting worse.
TEST(QualitySyllables, EstimateAgreesWithTheDictionaryMostOfTheTime) {
  std::size_t total = 0;
  std::size_t same = 0;
  std::size_t within_one = 0;
  for (const char* w : {"make", "table", "whole", "jumped", "wanted", "makes", "boxes", "pages",
                        "notes", "free", "the", "radio", "coffee", "machine", "morning"}) {
    const auto d = dictionary_syllables(w);
    ASSERT_TRUE(d) << w;
    ++total;
    same += estimate_syllables(w) == *d;
    within_one += estimate_syllables(w) + 1 >= *d && estimate_syllables(w) <= *d + 1;
  }
  std::printf("estimate = dictionary on %zu of %zu common words, within 1 on %zu\n", same, total,
              within_one);
  EXPECT_GE(same, 12u);
  EXPECT_EQ(within_one, total);
}

}  // namespace
}  // namespace autoblog::content::quality
