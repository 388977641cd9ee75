#include "content/trends/discovery.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <unordered_set>

#include "content/trends/canonical_url.h"

namespace autoblog::content::trends {

namespace json = boost::json;

namespace {

// Published times are RFC 3339 UTC in one fixed-width form, so text order is time order.
bool better(const Candidate& a, const Candidate& b) {
  if (a.score.score != b.score.score) return a.score.score > b.score.score;
  const auto& pa = a.entry->published;
  const auto& pb = b.entry->published;
  if (pa.has_value() != pb.has_value()) return pa.has_value();
  if (pa && *pa != *pb) return *pa > *pb;
  return a.feed < b.feed;  // stable_sort keeps the feed's own order after that
}

}  // namespace

std::vector<Candidate> rank_entries(std::vector<FeedOutcome>& feeds,
                                    const std::vector<Term>& terms) {
  std::vector<Candidate> all;
  for (std::size_t f = 0; f < feeds.size(); ++f) {
    FeedOutcome& o = feeds[f];
    if (!o.feed) continue;
    o.entries = static_cast<int>(o.feed->entries.size());
    for (const FeedEntry& e : o.feed->entries) {
      auto canonical = canonical_url(e.link);
      EntryScore score = score_entry(e.title, e.summary, terms);
      if (!canonical || (!terms.empty() && score.score == 0)) {
        ++o.skipped;
        continue;
      }
      all.push_back(Candidate{f, &e, std::move(*canonical), title_key(e.title), std::move(score)});
    }
  }
  std::stable_sort(all.begin(), all.end(), better);
  std::vector<Candidate> out;
  std::unordered_set<std::string> urls;
  std::unordered_set<std::string> titles;
  for (Candidate& c : all) {
    const bool repeated =
        urls.count(c.canonical_url) > 0 || (c.title_key && titles.count(*c.title_key) > 0);
    if (repeated) {
      ++feeds[c.feed].duplicates;
      continue;
    }
    urls.insert(c.canonical_url);
    if (c.title_key) titles.insert(*c.title_key);
    out.push_back(std::move(c));
  }
  return out;
}

json::object inspiration_data(const Candidate& c, const FeedOutcome& feed) {
  json::object o;
  o["source"] = feed.url;
  o["feed_title"] = feed.feed ? feed.feed->title : std::string();
  o["url"] = c.entry->link;
  o["canonical_url"] = c.canonical_url;
  o["title"] = c.entry->title;
  if (c.title_key) o["title_key"] = *c.title_key;
  o["summary"] = c.entry->summary;
  if (c.entry->published)
    o["published"] = *c.entry->published;
  else
    o["published"] = nullptr;
  o["score"] = c.score.score;
  json::array matched;
  for (const std::string& m : c.score.matched) matched.emplace_back(m);
  o["matched"] = std::move(matched);
  return o;
}

json::object run_report(const std::vector<FeedOutcome>& feeds) {
  json::array list;
  std::int64_t created = 0;
  for (const FeedOutcome& f : feeds) {
    json::object o;
    o["url"] = f.url;
    if (f.feed) o["format"] = f.feed->format;
    o["entries"] = f.entries;
    o["created"] = f.created;
    o["duplicates"] = f.duplicates;
    o["skipped"] = f.skipped;
    if (f.error) o["error"] = json::object{{"code", f.error->code}, {"message", f.error->message}};
    created += f.created;
    list.push_back(std::move(o));
  }
  return json::object{{"feeds", std::move(list)}, {"created", created}};
}

std::string run_result(const std::vector<FeedOutcome>& feeds) {
  return json::serialize(run_report(feeds));
}

}  // namespace autoblog::content::trends
