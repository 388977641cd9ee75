// score(): counts the article once, then runs the checks. How the checks are weighed into
// `overall` is explained in docs/quality.md; keep the two in step.
#include "content/quality/quality.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "content/quality/markdown_text.h"
#include "content/quality/text_stats.h"
#include "content/quality/unicode_class.h"
#include "util/utf8.h"

namespace autoblog::content::quality {
namespace {

constexpr std::size_t kLongSentenceWords = 20;  // Yoast: a sentence over 20 words is long

double round2(double x) {
  return std::round(x * 100.0) / 100.0;
}

// Characters of `s` as a reader counts them: code points, surrounding whitespace excluded.
std::size_t char_length(std::string_view s) {
  const std::u32string u = decode_for_counting(s);
  std::size_t b = 0;
  std::size_t e = u.size();
  while (b < e && is_space_char(u[b])) ++b;
  while (e > b && is_space_char(u[e - 1])) --e;
  return e - b;
}

// Non-overlapping occurrences of `phrase` (a word sequence) in `words`.
std::size_t occurrences(const WordList& words, const std::vector<std::string>& phrase) {
  const auto matches_at = [&](std::size_t i) {
    for (std::size_t k = 0; k < phrase.size(); ++k) {
      if (words[i + k] != phrase[k]) return false;
    }
    return true;
  };
  std::size_t n = 0;
  for (std::size_t i = 0; i + phrase.size() <= words.size();) {
    if (matches_at(i)) {
      ++n;
      i += phrase.size();
    } else {
      ++i;
    }
  }
  return n;
}

// The counts of the body, block by block.
struct BodyCounts {
  TextCounts text;
  WordList words;  // lowercased, for the keyphrases
  std::size_t headings = 0;
  std::size_t max_section_words = 0;
  std::size_t longest_paragraph_words = 0;
  std::size_t sentences_with_words = 0;  // in paragraphs, for the long-sentence share
  std::size_t long_sentences = 0;
};

BodyCounts count_body(std::string_view markdown) {
  BodyCounts c;
  // The readable text is the blocks separated by blank lines, which is what textstat would be
  // given for the article; each block's range in it is kept for the per-block checks.
  std::u32string text;
  struct Range {
    bool heading;
    std::size_t begin, end;
  };
  std::vector<Range> ranges;
  const std::vector<TextBlock> blocks = markdown_blocks(markdown);
  std::size_t bytes = 0;
  for (const TextBlock& b : blocks) bytes += b.text.size() + 2;
  text.reserve(bytes);
  ranges.reserve(blocks.size());
  for (const TextBlock& b : blocks) {
    if (!text.empty()) text += U"\n\n";
    const std::size_t begin = text.size();
    decode_for_counting(b.text, text);
    ranges.push_back({b.kind == TextBlock::Kind::kHeading, begin, text.size()});
  }
  c.words = words_of(text);
  c.text = {c.words.size(), count_sentences(text), count_syllables(c.words)};

  std::size_t section = 0;
  for (const Range& r : ranges) {
    const std::u32string_view block = std::u32string_view(text).substr(r.begin, r.end - r.begin);
    if (r.heading) {
      ++c.headings;
      c.max_section_words = std::max(c.max_section_words, section);
      section = 0;
      continue;
    }
    const std::size_t words = count_words(block);
    section += words;
    c.longest_paragraph_words = std::max(c.longest_paragraph_words, words);
    for (std::u32string_view s : sentences(block)) {
      const std::size_t n = count_words(s);
      if (n == 0) continue;
      ++c.sentences_with_words;
      if (n > kLongSentenceWords) ++c.long_sentences;
    }
  }
  c.max_section_words = std::max(c.max_section_words, section);
  return c;
}

// One check: its weight in `overall`, how well it is met (0-1), and the issue if it is not.
class Checks {
 public:
  void add(double weight, double met, std::string issue = {}) {
    weight_ += weight;
    met_ += weight * std::clamp(met, 0.0, 1.0);
    if (!issue.empty()) issues_.push_back(std::move(issue));
  }
  void issue(std::string text) { issues_.push_back(std::move(text)); }
  double average() const { return weight_ > 0 ? met_ / weight_ : 0.0; }
  std::vector<std::string> take_issues() { return std::move(issues_); }

 private:
  double weight_ = 0;
  double met_ = 0;
  std::vector<std::string> issues_;
};

// How well `value` meets "at most `max`": 1 up to it, then falling as max / value.
double at_most(double value, double max) {
  return value <= max ? 1.0 : max / value;
}

}  // namespace

Scores score(const Article& article, const Thresholds& t) {
  Scores s;
  const BodyCounts body = count_body(article.body_markdown);
  s.word_count = body.text.words;
  s.sentence_count = body.text.sentences;
  const double fre = flesch_reading_ease(body.text);
  s.flesch_reading_ease = round2(std::clamp(fre, 0.0, 100.0));
  s.flesch_kincaid_grade = round2(flesch_kincaid_grade(body.text));
  s.heading_count = body.headings;
  s.max_words_per_section = body.max_section_words;
  s.longest_paragraph_words = body.longest_paragraph_words;
  s.title_length = char_length(article.title);
  s.meta_description_length = char_length(article.meta_description);

  Checks checks;
  const bool has_text = s.word_count > 0;
  const auto words = static_cast<double>(s.word_count);

  // Text length scales the whole score rather than being one check among others: a short text
  // cannot make up for its length with short sentences and a good title.
  const double length_factor = std::min(1.0, words / t.min_words);
  if (!has_text) {
    checks.issue("The text is empty.");
  } else if (words < t.min_words) {
    checks.issue(
        fmt::format("The text has {} words; aim for at least {:g}.", s.word_count, t.min_words));
  }

  // Readability: Flesch reading ease, met in full at the threshold, not at all 30 points below.
  checks.add(15, has_text ? (fre - (t.min_flesch_reading_ease - 30)) / 30 : 0,
             has_text && fre < t.min_flesch_reading_ease
                 ? fmt::format("The Flesch reading ease is {:.1f}; aim for {:g} or more with "
                               "shorter sentences and shorter words.",
                               s.flesch_reading_ease, t.min_flesch_reading_ease)
                 : std::string());

  // Sentence length: the share over 20 words, met in full at the threshold, not at all at twice.
  const double long_share = body.sentences_with_words == 0
                                ? 0.0
                                : 100.0 * static_cast<double>(body.long_sentences) /
                                      static_cast<double>(body.sentences_with_words);
  checks.add(15,
             has_text ? 1.0 - std::max(0.0, long_share - t.max_long_sentence_share) /
                                  std::max(t.max_long_sentence_share, 1.0)
                      : 0,
             long_share > t.max_long_sentence_share
                 ? fmt::format("{:.0f}% of the sentences have more than {} words; keep that to "
                               "{:g}% or less.",
                               long_share, kLongSentenceWords, t.max_long_sentence_share)
                 : std::string());

  checks.add(
      10,
      has_text ? at_most(static_cast<double>(s.longest_paragraph_words), t.max_paragraph_words) : 0,
      static_cast<double>(s.longest_paragraph_words) > t.max_paragraph_words
          ? fmt::format("The longest paragraph has {} words; keep paragraphs to {:g} "
                        "words or fewer.",
                        s.longest_paragraph_words, t.max_paragraph_words)
          : std::string());

  checks.add(
      10, has_text ? at_most(static_cast<double>(s.max_words_per_section), t.max_section_words) : 0,
      static_cast<double>(s.max_words_per_section) > t.max_section_words
          ? fmt::format("A section has {} words without a subheading; add subheadings so "
                        "that none runs over {:g} words.",
                        s.max_words_per_section, t.max_section_words)
          : std::string());

  // Keyphrases: each one's density, reported always, checked (as Yoast does) from 100 words on.
  std::vector<std::string> seen;
  double density_met = 0;
  std::size_t checked = 0;
  for (const std::string& keyword : article.keywords) {
    const std::vector<std::string> phrase = lexicon(keyword);
    if (phrase.empty()) continue;
    std::string key;
    for (const std::string& w : phrase) key += (key.empty() ? "" : " ") + w;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    const std::size_t n = occurrences(body.words, phrase);
    const double density = has_text ? 100.0 * static_cast<double>(n) / words : 0.0;
    // Stored as JSON keys and quoted in issues: keep them valid UTF-8 whatever came in.
    const std::string shown = util::repair_utf8(keyword);
    s.keyword_density.emplace_back(shown, round2(density));
    if (s.word_count < 100) continue;
    ++checked;
    if (density < t.min_keyword_density) {
      density_met += density / t.min_keyword_density;
    } else if (density > t.max_keyword_density) {
      density_met += t.max_keyword_density / density;
    } else {
      density_met += 1;
      continue;
    }
    checks.issue(
        fmt::format("The keyphrase \"{}\" appears {} time{} in {} words ({:.2f}%); aim "
                    "for {:g}-{:g}%.",
                    shown, n, n == 1 ? "" : "s", s.word_count, density, t.min_keyword_density,
                    t.max_keyword_density));
  }
  if (checked > 0) checks.add(20, density_met / static_cast<double>(checked));

  const auto meta = static_cast<double>(s.meta_description_length);
  if (s.meta_description_length == 0) {
    checks.add(15, 0,
               fmt::format("The meta description is missing; write one of {:g}-{:g} characters.",
                           t.min_meta_description_length, t.max_meta_description_length));
  } else if (meta < t.min_meta_description_length || meta > t.max_meta_description_length) {
    checks.add(15,
               meta < t.min_meta_description_length ? meta / t.min_meta_description_length
                                                    : t.max_meta_description_length / meta,
               fmt::format("The meta description has {} characters; aim for {:g}-{:g}.",
                           s.meta_description_length, t.min_meta_description_length,
                           t.max_meta_description_length));
  } else {
    checks.add(15, 1);
  }

  if (s.title_length == 0) {
    checks.add(15, 0, "The title is missing.");
  } else {
    const auto title = static_cast<double>(s.title_length);
    checks.add(15, at_most(title, t.max_title_length),
               title > t.max_title_length
                   ? fmt::format("The title has {} characters; keep it to {:g} or fewer so that "
                                 "search results show it whole.",
                                 s.title_length, t.max_title_length)
                   : std::string());
  }

  s.overall = static_cast<int>(std::lround(100.0 * checks.average() * length_factor));
  s.passes = s.overall >= t.min_overall;
  s.issues = checks.take_issues();
  return s;
}

}  // namespace autoblog::content::quality
