// Google Benchmark for trend discovery's feed reading (docs/trends.md): parsing a 1 MB RSS 2.0
// feed (pugixml, then per entry the HTML-stripped summary, the date and the resolved link),
// target <= 20 ms on one core; the same for a 1 MB Atom feed; and ranking the RSS feed's
// entries against a brand (scoring, canonical URLs, title keys).
// The entries look like real ones: HTML descriptions with tags and character references,
// RFC 822 dates, query strings with campaign parameters.
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <string>

#include "content/trends/discovery.h"
#include "content/trends/feed.h"
#include "content/trends/scoring.h"

namespace autoblog::content::trends {
namespace {

constexpr std::size_t kTargetBytes = 1u << 20;

const char* const kWords[] = {"espresso", "grinder", "kettle", "barista", "roast", "machine",
                              "milk",     "latte",   "crema",  "tamper",  "scale", "water",
                              "bean",     "origin",  "filter", "pour",    "brew",  "review"};

std::string words(std::size_t seed, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += kWords[(seed * 7 + static_cast<std::size_t>(i) * 13) % std::size(kWords)];
  }
  return s;
}

std::string rss_feed() {
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
      "<title>Bench &amp; Co</title><link>https://bench.example/</link>\n";
  for (std::size_t i = 0; doc.size() < kTargetBytes; ++i) {
    doc += "<item><title>" + words(i, 8) + " " + std::to_string(i) + "</title>";
    doc += "<link>https://Bench.Example/posts/" + std::to_string(i) +
           "?utm_source=rss&amp;utm_medium=feed&amp;ref=" + std::to_string(i % 10) + "</link>";
    doc += "<description>&lt;p&gt;" + words(i + 1, 30) + " &lt;a href=\"https://x.example/" +
           std::to_string(i) + "\"&gt;" + words(i + 2, 4) + "&lt;/a&gt; &amp;mdash; " +
           words(i + 3, 25) + "&lt;/p&gt;</description>";
    doc += "<pubDate>Tue, 03 Nov 2026 " + std::to_string(10 + i % 10) + ":05:30 +0100</pubDate>";
    doc += "<guid>https://bench.example/posts/" + std::to_string(i) + "</guid></item>\n";
  }
  return doc + "</channel></rss>\n";
}

std::string atom_feed() {
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
      "<title>Bench</title>\n";
  for (std::size_t i = 0; doc.size() < kTargetBytes; ++i) {
    doc += "<entry><title>" + words(i, 8) + " " + std::to_string(i) + "</title>";
    doc += "<link rel=\"alternate\" href=\"/posts/" + std::to_string(i) + "\"/>";
    doc += "<id>urn:bench:" + std::to_string(i) + "</id>";
    doc += "<published>2026-11-03T10:05:30.25+01:00</published>";
    doc += "<summary type=\"html\">&lt;p&gt;" + words(i + 1, 30) + " &lt;em&gt;" + words(i + 2, 4) +
           "&lt;/em&gt; " + words(i + 3, 25) + "&lt;/p&gt;</summary></entry>\n";
  }
  return doc + "</feed>\n";
}

void parse(benchmark::State& state, const std::string& doc) {
  std::size_t entries = 0;
  for (auto _ : state) {
    ParsedFeed f = parse_feed(doc, "https://bench.example/feed.xml", 1u << 20);
    entries = f.entries.size();
    benchmark::DoNotOptimize(f);
  }
  state.counters["bytes"] = static_cast<double>(doc.size());
  state.counters["entries"] = static_cast<double>(entries);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}

void BM_ParseRss1MB(benchmark::State& state) {
  static const std::string doc = rss_feed();
  parse(state, doc);
}
BENCHMARK(BM_ParseRss1MB)->Unit(benchmark::kMillisecond);

void BM_ParseAtom1MB(benchmark::State& state) {
  static const std::string doc = atom_feed();
  parse(state, doc);
}
BENCHMARK(BM_ParseAtom1MB)->Unit(benchmark::kMillisecond);

void BM_RankRss1MB(benchmark::State& state) {
  static const std::string doc = rss_feed();
  const auto terms = brand_terms(boost::json::parse(R"(["espresso machine", "latte art"])"),
                                 boost::json::parse(R"({"keywords": ["barista", "pour over"]})"));
  std::vector<FeedOutcome> feeds(1);
  feeds[0].url = "https://bench.example/feed.xml";
  feeds[0].feed = parse_feed(doc, feeds[0].url, 1u << 20);
  std::size_t kept = 0;
  for (auto _ : state) {
    feeds[0].skipped = feeds[0].duplicates = 0;
    auto ranked = rank_entries(feeds, terms);
    kept = ranked.size();
    benchmark::DoNotOptimize(ranked);
  }
  state.counters["entries"] = static_cast<double>(feeds[0].feed->entries.size());
  state.counters["candidates"] = static_cast<double>(kept);
}
BENCHMARK(BM_RankRss1MB)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace autoblog::content::trends
