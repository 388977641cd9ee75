#pragma once
// Reading an RSS 2.0 or Atom (RFC 4287) document into entries, with pugixml. The feed is
// untrusted input: pugixml is a non-validating parser that never fetches external entities or
// DTDs, so a feed cannot make us read files or the network; its size is capped by the fetcher
// before it gets here.
// What is read:
//   - RSS 2.0: <rss><channel><item> with title, link (else a permalink guid), description (else
//     content:encoded), pubDate (RFC 822; dc:date as a fallback);
//   - Atom: <feed><entry> with title, the alternate link (rel="alternate" or no rel), summary
//     (else content), published (else updated);
//   - element names are matched by local name, so a prefixed Atom (atom:entry) reads the same;
//   - relative links are resolved against the feed's URL; text is HTML-stripped (tags removed,
//     character references decoded), whitespace collapsed, invalid UTF-8 and control
//     characters replaced, and cut to kMaxTitleBytes / kMaxSummaryBytes at a character edge;
//   - at most `max_entries` entries, in document order (feeds list the newest first).
// Anything else (an HTML page, a truncated or malformed document, another root element) throws
// FeedError with a short reason.
// Pure functions: thread-safe.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::content::trends {

inline constexpr std::size_t kMaxTitleBytes = 300;
inline constexpr std::size_t kMaxSummaryBytes = 1000;
inline constexpr std::size_t kMaxEntriesPerFeed = 500;

struct FeedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct FeedEntry {
  std::string title;
  std::string link;  // absolute when it could be resolved; may be empty
  std::string summary;
  std::optional<std::string> published;  // RFC 3339 UTC (the API's form), when readable
};

struct ParsedFeed {
  std::string format;  // "rss" or "atom"
  std::string title;
  std::vector<FeedEntry> entries;
};

ParsedFeed parse_feed(std::string_view document, std::string_view feed_url,
                      std::size_t max_entries = kMaxEntriesPerFeed);

// The readable text of an HTML fragment (or plain text), as described above, cut to `max_bytes`.
std::string plain_text(std::string_view html, std::size_t max_bytes);

// An RFC 822 / RFC 1123 date ("Tue, 03 Jun 2008 11:05:30 GMT", numeric or named zones, two-digit
// years) or an RFC 3339 one ("2008-06-03T11:05:30.5+02:00"), as the API's RFC 3339 UTC text;
// nullopt when it is neither.
std::optional<std::string> feed_date(std::string_view text);

}  // namespace autoblog::content::trends
