#pragma once
// The discover_trends job (docs/trends.md): reads the brand's feeds and creates the best new
// inspiration items.
//   1. one short transaction reads the brand (topics, seo_strategy.keywords, sources);
//   2. the feeds are fetched and parsed with no transaction open (content/trends/feed_reader.h);
//      a feed that fails is reported in the result and the others go on;
//   3. the entries are ranked (content/trends/discovery.h) and stored best first, in rounds of
//      at most the number still wanted, until kMaxNewPerRun are new or kMaxStoreRounds rounds
//      have run: INSERT ... ON CONFLICT DO NOTHING against the tenant's unique indexes, so an
//      entry stored by an earlier run, or by a concurrent one, is counted as a duplicate and
//      never stored twice. The inserts and the job's completion commit together (exactly once).
//      A deadlock between two concurrent runs (their entries crossing on the two indexes) rolls
//      the store back and it is tried again, without fetching again.
//   4. a scheduled run (payload {"scheduled_for": period}, jobs/scheduler.h) with the brand's
//      sources.auto_generate N > 0 starts the generation of the best N items it created, in the
//      same transaction, within the tenant's daily quota (GenerationService's steps).
// Result: {"feeds": [{url, format?, entries, created, duplicates, skipped, error?}], "created"},
// plus "scheduled_for" and "auto_generate" for a scheduled run.
// Thread-safe: no per-job state; the client is shared and must outlive the handler.
#include "content/trends/feed_reader.h"
#include "jobs/handler.h"

namespace autoblog::net {
class HttpClient;
}

namespace autoblog::jobs {

inline constexpr int kMaxStoreRounds = 20;

class DiscoverTrendsHandler : public JobHandler {
 public:
  DiscoverTrendsHandler(net::HttpClient& http, content::trends::FeedLimits limits)
      : http_(http), limits_(limits) {}

  boost::asio::awaitable<std::string> run(JobContext& ctx) override;

 private:
  net::HttpClient& http_;
  content::trends::FeedLimits limits_;
};

}  // namespace autoblog::jobs
