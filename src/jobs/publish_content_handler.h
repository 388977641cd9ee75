#pragma once
// The publish_content job: publishes one content item to its brand's targets
// (publishing/publisher.h) and completes the job in the same transaction, so the item's status,
// its per-target outcomes and the job's end commit together — a retried or re-claimed job finds
// the item already published and does nothing (exactly once). Payload: {"content_id",
// "expect": "approved" | "scheduled"}; an item no longer in that status (unpublished, edited,
// archived meanwhile) is skipped, and the job succeeds saying why. Remote targets get one
// deliver_publication job each, enqueued in the same transaction. When no target succeeds and
// none is on its way the outcomes are kept on the item (a scheduled one goes back to approved)
// and the job fails.
// Stateless: thread-safe.
#include "jobs/handler.h"

namespace autoblog::jobs {

class PublishContentHandler : public JobHandler {
 public:
  boost::asio::awaitable<std::string> run(JobContext& ctx) override;
};

}  // namespace autoblog::jobs
