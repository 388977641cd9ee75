#pragma once
// The job kinds this build knows:
//   generate_content — writes an article for a content item through the content engine
//     (jobs/generate_content_handler.h);
//   publish_content — publishes a content item to its brand's targets
//     (jobs/publish_content_handler.h);
//   discover_trends — reads the brand's feeds into inspiration items
//     (jobs/discover_trends_handler.h);
//   deliver_publication — one publication or removal at a remote target (webhook, WordPress,
//     Ghost) (jobs/deliver_publication_handler.h);
//   noop — internal, never enqueued by the API: for tests and benchmarks. Its payload may ask
//     it to fail (`fail_times`, `permanent`), wait (`sleep_ms`), snooze (`snooze_times`,
//     `snooze_ms`), record an effect in its tenant's schema in the same transaction as its
//     completion (`effect`), or look up a content item (`read_item`).
#include <chrono>
#include <memory>

#include "content/engine/content_engine.h"
#include "content/trends/feed_reader.h"
#include "jobs/handler.h"
#include "observability/metrics.h"

namespace autoblog::jobs {

// `engine`, `metrics`, `http` and `storage` must outlive the registry's use.
// `publish_timeout` bounds each call of a remote publishing target.
HandlerRegistry builtin_handlers(content::engine::ContentEngine& engine,
                                 observability::Metrics& metrics, net::HttpClient& http,
                                 const content::trends::FeedLimits& feed_limits,
                                 storage::ObjectStorage& storage,
                                 std::chrono::milliseconds publish_timeout);

}  // namespace autoblog::jobs
