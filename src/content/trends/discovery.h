#pragma once
// One discovery run over a brand's feeds, apart from the network and the database: what each
// feed gave (FeedOutcome), which entries become inspiration items and in what order
// (rank_entries), what an item holds (inspiration_data) and what the job reports (run_result).
//
// Ranking (documented in docs/trends.md): entries without an http(s) link are skipped; when the
// brand has topics or keywords, entries matching none of them are skipped; the rest are ordered
// by score (highest first), then publication time (newest first, undated last), then feed and
// position in the feed, so the order is the same on every run. An entry whose canonical URL or
// title key an earlier (better) entry of the same run already has is a duplicate. The caller
// stores them best first until kMaxNewPerRun are new (store_order in the job handler).
// Pure functions over values: thread-safe.
#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "content/trends/feed.h"
#include "content/trends/scoring.h"

namespace autoblog::content::trends {

// The most inspiration items one run creates (the best new ones).
inline constexpr std::size_t kMaxNewPerRun = 20;

struct FeedProblem {
  // timeout, too_large, egress_refused, too_many_redirects, connect_failed, http_status,
  // transfer_failed, invalid_url, malformed
  std::string code;
  std::string message;
};

struct FeedOutcome {
  std::string url;
  std::optional<ParsedFeed> feed;    // set when the feed was read and parsed
  std::optional<FeedProblem> error;  // set otherwise
  int entries = 0;                   // entries read from the feed
  int created = 0;                   // new inspiration items
  int duplicates = 0;                // already stored, or repeated within the run
  int skipped = 0;                   // no usable link, no match, or not among the best of the run
};

struct Candidate {
  std::size_t feed = 0;              // index in the run's outcomes
  const FeedEntry* entry = nullptr;  // inside that outcome's feed
  std::string canonical_url;
  std::optional<std::string> title_key;
  EntryScore score;
};

// Counts every entry of the feeds that were read into `entries`, the ones left out into
// `skipped` or `duplicates`, and returns the others best first. The candidates point into
// `feeds`, which must outlive them unchanged.
std::vector<Candidate> rank_entries(std::vector<FeedOutcome>& feeds,
                                    const std::vector<Term>& terms);

// {source, feed_title, url, canonical_url, title, title_key?, summary, published, score,
// matched}: `source` is the feed's URL as the brand lists it.
boost::json::object inspiration_data(const Candidate& candidate, const FeedOutcome& feed);

// {"feeds": [{url, format?, entries, created, duplicates, skipped, error?: {code, message}}],
//  "created": total}: run_report as an object (the job adds to it), run_result as JSON text.
boost::json::object run_report(const std::vector<FeedOutcome>& feeds);
std::string run_result(const std::vector<FeedOutcome>& feeds);

}  // namespace autoblog::content::trends
