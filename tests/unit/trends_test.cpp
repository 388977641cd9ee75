// Trend discovery's pure parts (content/trends/): feed parsing, dates, URL canonicalisation,
// scoring, title keys, the brand's sources and the ranking of a run.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "content/errors.h"
#include "content/trends/canonical_url.h"
#include "content/trends/discovery.h"
#include "content/trends/feed.h"
#include "content/trends/scoring.h"
#include "content/trends/sources.h"

namespace autoblog::content::trends {
namespace {

namespace json = boost::json;

constexpr const char* kRss = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>News &amp; Views</title>
  <item><title>First &amp; best</title><link> https://a.example/1 </link>
    <description>&lt;p&gt;Hello &lt;b&gt;bold&lt;/b&gt; world&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description>
    <pubDate>Tue, 03 Jun 2008 11:05:30 GMT</pubDate></item>
  <item><title><![CDATA[Second <em>one</em>]]></title><guid>https://a.example/2</guid>
    <content:encoded><![CDATA[<div>Body</div>]]></content:encoded>
    <dc:date>2008-06-04T00:00:00Z</dc:date></item>
  <item><title>Relative</title><link>/posts/3?x=1</link><pubDate>not a date</pubDate></item>
  <item><title>Not a permalink</title><guid isPermaLink="false">tag:a,1</guid></item>
</channel></rss>)";

constexpr const char* kAtom = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://b.example/blog/">
  <title>Atom feed</title>
  <entry><title type="html">A &amp;lt;tag&amp;gt; title</title>
    <link rel="edit" href="/edit/1"/><link href="posts/1"/>
    <published>2024-02-29T23:30:00-01:30</published><updated>2020-01-01T00:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Para one</p><p>two</p></div></content>
  </entry>
  <entry><title>Only updated</title><link rel="alternate" href="https://c.example/x"/>
    <updated>2024-03-01T10:00:00.123456789Z</updated><summary>Sum</summary></entry>
</feed>)";

TEST(TrendsFeed, ReadsRss) {
  ParsedFeed f = parse_feed(kRss, "https://a.example/feed.xml");
  EXPECT_EQ(f.format, "rss");
  EXPECT_EQ(f.title, "News & Views");
  ASSERT_EQ(f.entries.size(), 4u);
  EXPECT_EQ(f.entries[0].title, "First & best");
  EXPECT_EQ(f.entries[0].link, "https://a.example/1");
  EXPECT_EQ(f.entries[0].summary, "Hello bold world");
  EXPECT_EQ(f.entries[0].published, "2008-06-03T11:05:30.000000Z");
  EXPECT_EQ(f.entries[1].title, "Second one");
  EXPECT_EQ(f.entries[1].link, "https://a.example/2") << "a permalink guid is the link";
  EXPECT_EQ(f.entries[1].summary, "Body") << "content:encoded without a description";
  EXPECT_EQ(f.entries[1].published, "2008-06-04T00:00:00.000000Z") << "dc:date";
  EXPECT_EQ(f.entries[2].link, "https://a.example/posts/3?x=1");
  EXPECT_FALSE(f.entries[2].published.has_value());
  EXPECT_EQ(f.entries[3].link, "") << "isPermaLink=false is not a link";
}

TEST(TrendsFeed, ReadsAtom) {
  ParsedFeed f = parse_feed(kAtom, "https://b.example/feed");
  EXPECT_EQ(f.format, "atom");
  EXPECT_EQ(f.title, "Atom feed");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title, "A <tag> title");
  EXPECT_EQ(f.entries[0].link, "https://b.example/blog/posts/1") << "alternate, against xml:base";
  EXPECT_EQ(f.entries[0].summary, "Para one two");
  EXPECT_EQ(f.entries[0].published, "2024-03-01T01:00:00.000000Z") << "published over updated";
  EXPECT_EQ(f.entries[1].published, "2024-03-01T10:00:00.123456Z");
  EXPECT_EQ(f.entries[1].summary, "Sum");
}

TEST(TrendsFeed, PrefixedAtomReadsTheSame) {
  ParsedFeed f =
      parse_feed(R"(<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry><a:title>T</a:title>)"
                 R"(<a:link href="https://x.example/"/></a:entry></a:feed>)",
                 "https://x.example/f");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].link, "https://x.example/");
}

TEST(TrendsFeed, RefusesWhatIsNotAFeed) {
  for (const char* doc : {"", "<rss><channel><item><title>cut", "<html><body>x</body></html>",
                          "<rss version=\"2.0\"></rss>", "plain text", "<a></b>"}) {
    EXPECT_THROW(parse_feed(doc, "https://x.example/"), FeedError) << doc;
  }
}

TEST(TrendsFeed, NoExternalEntitiesAreRead) {
  // A DOCTYPE with an external entity: pugixml does not process DTDs, so &xxe; is never
  // replaced by the file and the document is refused or the reference left out.
  const char* doc = R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title><link>https://x.example/</link></item></channel></rss>)";
  try {
    ParsedFeed f = parse_feed(doc, "https://x.example/");
    ASSERT_EQ(f.entries.size(), 1u);
    EXPECT_EQ(f.entries[0].title.find("root:"), std::string::npos);
  } catch (const FeedError&) {
  }
}

TEST(TrendsFeed, EntriesAreCapped) {
  std::string doc = "<rss><channel>";
  for (int i = 0; i < 30; ++i) doc += "<item><title>t</title></item>";
  doc += "</channel></rss>";
  EXPECT_EQ(parse_feed(doc, "https://x.example/", 7).entries.size(), 7u);
}

TEST(TrendsFeed, DeclaredEncodingsAreConverted) {
  std::string doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>caf";
  doc += '\xE9';
  doc += "</title></item></channel></rss>";
  EXPECT_EQ(parse_feed(doc, "https://x.example/").entries[0].title, "caf\xC3\xA9");
}

TEST(TrendsPlainText, StripsCollapsesAndCleans) {
  EXPECT_EQ(plain_text("  a\n\t b  ", 100), "a b");
  EXPECT_EQ(plain_text("<p>one</p><p>two</p>", 100), "one two");
  EXPECT_EQ(plain_text("x<b>y</b>z", 100), "xyz") << "inline tags join";
  EXPECT_EQ(plain_text("a <style>p{}</style>b<script>evil()</script> c", 100), "a b c");
  EXPECT_EQ(plain_text("5 < 6 &amp; 7 &gt; 3 &bogus;", 100), "5 < 6 & 7 > 3 &bogus;");
  EXPECT_EQ(plain_text("bad\xFF"
                       "byte",
                       100),
            "bad\xEF\xBF\xBD"
            "byte");
  EXPECT_EQ(plain_text(std::string("nul\0x\x1B[31m", 11), 100), "nul x [31m");
  EXPECT_EQ(plain_text("\xE2\x80\xAE"
                       "rtl",
                       100),
            "rtl")
      << "bidi override dropped";
  EXPECT_EQ(plain_text("caf\xC3\xA9 au lait", 4), "caf") << "never cuts a character";
  EXPECT_EQ(plain_text("unclosed <a href='x", 100), "unclosed");
}

TEST(TrendsDate, ReadsRfc822AndRfc3339) {
  EXPECT_EQ(feed_date("Tue, 03 Jun 2008 11:05:30 GMT"), "2008-06-03T11:05:30.000000Z");
  EXPECT_EQ(feed_date("3 Jun 2008 11:05 +0200"), "2008-06-03T09:05:00.000000Z");
  EXPECT_EQ(feed_date("Tue, 03 Jun 08 11:05:30 EST"), "2008-06-03T16:05:30.000000Z");
  EXPECT_EQ(feed_date("Sat, 31 Dec 2022 23:30:00 -0100"), "2023-01-01T00:30:00.000000Z");
  EXPECT_EQ(feed_date("2008-06-03T11:05:30Z"), "2008-06-03T11:05:30.000000Z");
  EXPECT_EQ(feed_date("2008-06-03T11:05:30.5+02:00"), "2008-06-03T09:05:30.500000Z");
  EXPECT_EQ(feed_date("2008-06-03"), "2008-06-03T00:00:00.000000Z");
  for (const char* bad :
       {"", "yesterday", "2008-13-01T00:00:00Z", "31 Feb 2008 10:00 GMT", "2008-06-03T25:00:00Z",
        "Tue, 03 Foo 2008 11:05:30 GMT", "2008-06-03T11:05:30Zjunk"}) {
    EXPECT_FALSE(feed_date(bad).has_value()) << bad;
  }
}

TEST(TrendsUrl, Canonicalises) {
  EXPECT_EQ(
      canonical_url("HTTPS://Example.COM.:443/a/./b/../c?utm_source=x&id=1&UTM_Medium=y#frag"),
      "https://example.com/a/c?id=1");
  EXPECT_EQ(canonical_url("http://user:pw@example.com:80"), "http://example.com/");
  EXPECT_EQ(canonical_url("http://example.com:8080/x?utm_campaign=a"), "http://example.com:8080/x");
  EXPECT_EQ(canonical_url("https://example.com/%7euser?fbclid=1&b=2&gclid=3"),
            "https://example.com/~user?b=2");
  EXPECT_EQ(canonical_url("https://example.com/p?b=2&a=1"), "https://example.com/p?b=2&a=1")
      << "parameter order is kept";
  for (const char* bad : {"", "/relative", "ftp://example.com/", "javascript:alert(1)",
                          "mailto:a@example.com", "http:///nohost", "not a url"}) {
    EXPECT_FALSE(canonical_url(bad).has_value()) << bad;
  }
}

TEST(TrendsUrl, ResolvesAndChecksFeedUrls) {
  EXPECT_EQ(resolve_url("https://a.example/feeds/x.xml", "../p/1"), "https://a.example/p/1");
  EXPECT_EQ(resolve_url("https://a.example/f", "https://b.example/"), "https://b.example/");
  EXPECT_EQ(resolve_url("https://a.example/f", "//c.example/z"), "https://c.example/z");
  EXPECT_TRUE(is_feed_url("https://a.example/feed.xml"));
  EXPECT_TRUE(is_feed_url("http://127.0.0.1:8080/rss"));
  EXPECT_FALSE(is_feed_url("file:///etc/passwd"));
  EXPECT_FALSE(is_feed_url("gopher://a.example/"));
  EXPECT_FALSE(is_feed_url("https://a.example/" + std::string(2100, 'x')));
}

TEST(TrendsScoring, WordsFoldCaseAndPlurals) {
  EXPECT_EQ(words_of("Espresso MACHINES, grinders & kettles! gas"),
            (std::vector<std::string>{"espresso", "machine", "grinder", "kettle", "gas"}));
  EXPECT_EQ(words_of("Caf\xC3\x89S cr\xC3\xA8me"),
            (std::vector<std::string>{"caf\xC3\xA9", "cr\xC3\xA8me"}));
}

TEST(TrendsScoring, TitleCountsThreeSummaryOne) {
  auto terms = brand_terms(json::parse(R"(["home espresso", "coffee gear", "Home Espresso", 7])"),
                           json::parse(R"({"keywords": ["espresso machine", "", "barista"]})"));
  ASSERT_EQ(terms.size(), 4u) << "duplicates, non-strings and empty terms dropped";
  EXPECT_EQ(terms[0].text, "home espresso");
  EXPECT_EQ(terms[3].text, "barista");
  auto s =
      score_entry("Best home espresso machines", "For every barista and their coffee gear", terms);
  EXPECT_EQ(s.score, 3 + 3 + 1 + 1);
  EXPECT_EQ(s.matched, (std::vector<std::string>{"home espresso", "coffee gear", "espresso machine",
                                                 "barista"}));
  auto both = score_entry("Barista news", "a barista", terms);
  EXPECT_EQ(both.score, 4);
  EXPECT_EQ(score_entry("espresso home", "", terms).score, 0) << "words must be consecutive";
  EXPECT_EQ(score_entry("espressomachine", "", terms).score, 0) << "whole words only";
  EXPECT_EQ(score_entry("anything", "", {}).score, 0);
}

TEST(TrendsScoring, TitleKeysMatchNearIdenticalTitles) {
  EXPECT_EQ(title_key("The Best Espresso Machines of 2026!"),
            title_key("the best espresso machine of 2026"));
  EXPECT_NE(title_key("The best espresso machines of 2026"),
            title_key("The best espresso machines of 2025"));
  EXPECT_FALSE(title_key("News!").has_value()) << "too short to call two titles the same";
}

TEST(TrendsSources, ValidatesTheBrandShape) {
  EXPECT_TRUE(parse_sources(nullptr).feeds.empty());
  auto s = parse_sources(json::parse(
      R"({"feeds": ["https://a.example/f", "http://b.example/g"], "every_hours": 6,
          "auto_generate": 2, "other": true})"));
  EXPECT_EQ(s.feeds.size(), 2u);
  EXPECT_EQ(s.every_hours, 6);
  EXPECT_EQ(s.auto_generate, 2);
  EXPECT_EQ(parse_sources(json::parse("{}")).every_hours, 24);
  std::string many = "{\"feeds\": [";
  for (int i = 0; i < 51; ++i)
    many += std::string(i ? "," : "") + "\"https://a.example/" + std::to_string(i) + "\"";
  many += "]}";
  for (std::string bad :
       {std::string("[]"), std::string(R"({"feeds": "https://a.example/"})"),
        std::string(R"({"feeds": ["ftp://a.example/"]})"), std::string(R"({"feeds": [null]})"),
        many, std::string(R"({"every_hours": 0})"), std::string(R"({"every_hours": 721})"),
        std::string(R"({"every_hours": "24"})"), std::string(R"({"auto_generate": 51})"),
        std::string(R"({"auto_generate": -1})")}) {
    EXPECT_THROW(parse_sources(json::parse(bad)), InvalidInput) << bad;
  }
  try {
    parse_sources(json::parse(R"({"feeds": ["https://ok.example/", "nope"]})"));
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("sources.feeds[1]"), std::string::npos) << e.what();
  }
}

FeedOutcome outcome(std::string url, std::vector<FeedEntry> entries) {
  FeedOutcome o;
  o.url = std::move(url);
  o.feed = ParsedFeed{"rss", "T", std::move(entries)};
  return o;
}

TEST(TrendsRanking, BestFirstDuplicatesAndSkipsCounted) {
  auto terms = brand_terms(json::parse(R"(["espresso"])"), nullptr);
  std::vector<FeedOutcome> feeds;
  feeds.push_back(outcome(
      "f1", {{"espresso one", "https://a.example/1", "", "2024-01-01T00:00:00.000000Z"},
             {"nothing", "https://a.example/2", "", std::nullopt},
             {"espresso no link", "", "", std::nullopt},
             {"espresso newer", "https://a.example/3", "", "2024-02-01T00:00:00.000000Z"}}));
  feeds.push_back(
      outcome("f2", {{"espresso one copy", "https://A.example/1?utm_x=1", "espresso", std::nullopt},
                     {"Espresso newer!", "https://other.example/", "", std::nullopt}}));
  FeedOutcome failed;
  failed.url = "f3";
  failed.error = FeedProblem{"timeout", "slow"};
  feeds.push_back(failed);
  auto ranked = rank_entries(feeds, terms);
  // f2's first entry scores 4 (title and summary): first, and f1's entry on the same page is its
  // duplicate. Then score 3: the newer first; f2's undated "Espresso newer!" repeats its title.
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].canonical_url, "https://a.example/1");
  EXPECT_EQ(ranked[0].feed, 1u);
  EXPECT_EQ(ranked[1].canonical_url, "https://a.example/3");
  EXPECT_EQ(feeds[0].entries, 4);
  EXPECT_EQ(feeds[0].skipped, 2) << "no match, no link";
  EXPECT_EQ(feeds[0].duplicates, 1);
  EXPECT_EQ(feeds[1].entries, 2);
  EXPECT_EQ(feeds[1].duplicates, 1);
  EXPECT_EQ(feeds[2].entries, 0) << "a failed feed has no entries";
}

TEST(TrendsRanking, InspirationDataAndResult) {
  auto terms = brand_terms(json::parse(R"(["espresso"])"), nullptr);
  std::vector<FeedOutcome> feeds;
  feeds.push_back(outcome("https://f.example/rss", {{"An espresso story for you",
                                                     "https://a.example/1#x", "s", std::nullopt}}));
  auto ranked = rank_entries(feeds, terms);
  ASSERT_EQ(ranked.size(), 1u);
  auto data = inspiration_data(ranked[0], feeds[0]);
  EXPECT_EQ(data.at("source"), "https://f.example/rss");
  EXPECT_EQ(data.at("url"), "https://a.example/1#x");
  EXPECT_EQ(data.at("canonical_url"), "https://a.example/1");
  EXPECT_EQ(data.at("title_key"), "an espresso story for you");
  EXPECT_TRUE(data.at("published").is_null());
  EXPECT_EQ(data.at("score"), 3);
  EXPECT_EQ(data.at("matched"), json::parse(R"(["espresso"])"));
  feeds[0].created = 1;
  FeedOutcome failed;
  failed.url = "https://g.example/";
  failed.error = FeedProblem{"timeout", "slow"};
  feeds.push_back(failed);
  auto result = json::parse(run_result(feeds));
  EXPECT_EQ(result.at("created"), 1);
  EXPECT_EQ(result.at("feeds").at(0).at("format"), "rss");
  EXPECT_EQ(result.at("feeds").at(1).at("error").at("code"), "timeout");
  EXPECT_FALSE(result.at("feeds").at(1).as_object().contains("format"));
}

}  // namespace
}  // namespace autoblog::content::trends
