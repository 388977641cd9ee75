#include "jobs/discover_trends_handler.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <optional>

#include "content/errors.h"
#include "content/review.h"
#include "content/trends/sources.h"
#include "db/errors.h"
#include "jobs/auto_generate.h"
#include "jobs/errors.h"
#include "jobs/trends_queries.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
namespace json = boost::json;
namespace trends = content::trends;
using db::param;

namespace {

// SQLSTATEs after which the store is simply run again: deadlock_detected and
// serialization_failure.
bool retryable(const db::DbError& e) {
  return e.sqlstate() == "40P01" || e.sqlstate() == "40001";
}

struct Stored {
  std::vector<int> created;     // per feed
  std::vector<int> duplicates;  // per feed, conflicts with stored items
  std::vector<int> unused;      // per feed, candidates never offered (the run had enough)
  std::vector<std::string> created_ids;  // the new items, best first (the candidates' order)
};

// The period a scheduled run belongs to ({"scheduled_for": ...}, jobs/scheduler.h); nullopt
// for a run asked for with POST /v1/trends/discover.
std::optional<std::string> scheduled_for(const std::string& payload_json) {
  boost::system::error_code ec;
  auto payload = json::parse(payload_json, ec);
  if (ec || !payload.is_object()) return std::nullopt;
  const auto* period = payload.as_object().if_contains("scheduled_for");
  if (!period || !period->is_string()) return std::nullopt;
  return std::string(period->as_string());
}

// One store attempt inside `tx` (not committed here).
asio::awaitable<Stored> store(tenancy::TenantTx& tx,
                              const std::vector<trends::Candidate>& candidates,
                              const std::vector<trends::FeedOutcome>& feeds) {
  Stored s{std::vector<int>(feeds.size()),
           std::vector<int>(feeds.size()),
           std::vector<int>(feeds.size()),
           {}};
  std::size_t wanted = trends::kMaxNewPerRun;
  std::size_t next = 0;
  for (int round = 0; round < kMaxStoreRounds && wanted > 0 && next < candidates.size(); ++round) {
    const std::size_t end = std::min(candidates.size(), next + wanted);
    json::array batch;
    for (std::size_t i = next; i < end; ++i)
      batch.push_back(trends::inspiration_data(candidates[i], feeds[candidates[i].feed]));
    db::Params p{param(json::serialize(batch))};
    auto r = co_await tx.exec(sql::kInsertInspirations, std::move(p));
    std::map<std::string, std::string, std::less<>> created;  // canonical URL → id
    for (int row = 0; row < r.rows(); ++row) created.emplace(r.get(row, 0), r.get(row, 1));
    for (std::size_t i = next; i < end; ++i) {
      const auto& c = candidates[i];
      if (auto it = created.find(c.canonical_url); it != created.end()) {
        ++s.created[c.feed];
        s.created_ids.push_back(it->second);
      } else {
        ++s.duplicates[c.feed];
      }
    }
    wanted -= created.size();
    next = end;
  }
  for (std::size_t i = next; i < candidates.size(); ++i) ++s.unused[candidates[i].feed];
  co_return s;
}

}  // namespace

asio::awaitable<std::string> DiscoverTrendsHandler::run(JobContext& ctx) {
  const auto period = scheduled_for(ctx.job().payload_json);
  json::value topics, seo, sources_json;
  {
    auto tx = co_await ctx.begin();
    auto r = co_await tx.commit_with(sql::kDiscoveryBrand);
    if (!r.empty()) {
      topics = content::parse_json_text(r.get_opt(0, 0));
      seo = content::parse_json_text(r.get_opt(0, 1));
      sources_json = content::parse_json_text(r.get_opt(0, 2));
    }
  }
  trends::Sources sources;
  try {
    sources = trends::parse_sources(sources_json);
  } catch (const content::InvalidInput& e) {
    throw PermanentFailure(std::string("the brand's sources cannot be used: ") + e.what());
  }
  // A feed listed twice is read once.
  std::vector<std::string> urls;
  for (auto& u : sources.feeds)
    if (std::find(urls.begin(), urls.end(), u) == urls.end()) urls.push_back(u);

  auto feeds = co_await trends::read_feeds(http_, urls, limits_);
  const auto candidates = trends::rank_entries(feeds, trends::brand_terms(topics, seo));

  for (int attempt = 1;; ++attempt) {
    auto tx = co_await ctx.begin();
    try {
      const Stored s = co_await store(tx, candidates, feeds);
      auto counted = feeds;
      for (std::size_t f = 0; f < counted.size(); ++f) {
        counted[f].created += s.created[f];
        counted[f].duplicates += s.duplicates[f];
        counted[f].skipped += s.unused[f];
      }
      auto result = trends::run_report(counted);
      if (period) {
        result["scheduled_for"] = *period;
        if (sources.auto_generate > 0)
          result["auto_generate"] =
              co_await auto_generate(tx, ctx.tenant(), s.created_ids, sources.auto_generate);
      }
      co_await ctx.complete(tx, json::serialize(result));
      co_return std::string();  // recorded by complete()
    } catch (const db::DbError& e) {
      if (!retryable(e) || attempt >= 3) throw;
    }
  }
}

}  // namespace autoblog::jobs
