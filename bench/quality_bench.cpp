// Google Benchmark for the quality scorer (docs/quality.md): scoring a 2 000-word Markdown
// article end to end (Markdown reading, textstat counts with a dictionary lookup per word, the
// checks), target <= 1 ms on one core; and one dictionary lookup on its own.
// The article mixes real English paragraphs (Lincoln, Carroll, and plain product prose) with
// headings, a list, links and emphasis, so lookups hit many different words as a real article
// does, not the same few.
#include <benchmark/benchmark.h>

#include <string>

#include "content/quality/quality.h"
#include "content/quality/syllables.h"

namespace autoblog::content::quality {
namespace {

const char* const kParagraphs[] = {
    "Four score and seven years ago our fathers brought forth on this continent, a new nation, "
    "conceived in Liberty, and dedicated to the proposition that all men are created equal.",
    "Now we are engaged in a great civil war, testing whether that nation, or any nation so "
    "conceived and so dedicated, can long endure. We are met on a great battle-field of that "
    "war. We have come to dedicate a portion of that field, as a final resting place for those "
    "who here gave their lives that that nation might live.",
    "Alice was beginning to get very tired of sitting by her sister on the bank, and of having "
    "nothing to do: once or twice she had peeped into the book her sister was reading, but it "
    "had no pictures or conversations in it, \xE2\x80\x98" "and what is the use of a "
    "book,\xE2\x80\x99 thought Alice \xE2\x80\x98without pictures or conversations?\xE2\x80\x99",
    "We tested the new **espresso machine** at home for a week. The grinder was quiet, the "
    "beans smelled fresh, and each shot took about thirty seconds. Read [our grinder "
    "guide](https://example.com/grinders) before you buy one; it explains burr sizes, "
    "retention and why a cheap scale matters more than you think.",
    "- Preheat the portafilter for two minutes.\n- Dose eighteen grams and tamp level.\n"
    "- Stop the shot at thirty-six grams of liquid.",
};

std::string article_body(std::size_t target_words) {
  std::string md;
  std::size_t words = 0;
  for (std::size_t i = 0; words < target_words; ++i) {
    if (i % 3 == 0) md += "## Notes on brewing, part " + std::to_string(i / 3 + 1) + "\n\n";
    const std::string p = kParagraphs[i % std::size(kParagraphs)];
    md += p + "\n\n";
    for (char c : p) words += c == ' ';
    ++words;
  }
  return md;
}

void BM_Score2000WordArticle(benchmark::State& state) {
  const Article a{"Espresso at home: a week with a new machine",
                  "We spent a week with a new espresso machine at home: how the grinder, the "
                  "shots and the milk foam held up, and what cleaning takes.",
                  article_body(2000),
                  {"espresso machine", "grinder"}};
  std::size_t words = 0;
  for (auto _ : state) {
    const Scores s = score(a);
    words = s.word_count;
    benchmark::DoNotOptimize(s);
  }
  state.counters["words"] = static_cast<double>(words);
  state.counters["articles/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Score2000WordArticle)->Unit(benchmark::kMicrosecond);

void BM_DictionaryLookup(benchmark::State& state) {
  const char* const words[] = {"the", "espresso", "conversations", "zywicki", "baristabot",
                               "a", "machine", "altogether"};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dictionary_syllables(words[i++ % std::size(words)]));
  }
}
BENCHMARK(BM_DictionaryLookup);

}  // namespace
}  // namespace autoblog::content::quality
