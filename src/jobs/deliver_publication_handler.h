#pragma once
// The deliver_publication job: one publication (or removal) at one remote target of an item
// (publishing/delivery.h), with the network calls outside any transaction:
//   1. a read: the item, its article, the brand's target config and the target's entry; a
//      delivery whose entry moved on (another publication's marker, already delivered, the item
//      unpublished) is skipped and the job succeeds saying why;
//   2. a removal waits (snoozes) while the publication it removes is still being delivered, so
//      it sees the remote id that delivery records;
//   3. the adapter's call, under AUTOBLOG_PUBLISH_TIMEOUT_MS; a remote id is committed the moment
//      the target names it (RemoteCall::remember);
//   4. the outcome and the job's completion commit together. A transient failure is counted on
//      the entry and retried with backoff (kDeliveryAttempts attempts: hours with the default
//      backoff cap); TargetRefused, or the last attempt, ends the entry `failed` (a 410 also
//      disables the target in the brand) and an item left with no target published or pending
//      goes back to approved.
// Thread-safe: no per-job state; the client and storage are shared and must outlive the handler.
#include <chrono>
#include <vector>

#include "jobs/handler.h"
#include "publishing/delivery.h"

namespace autoblog::net {
class HttpClient;
}
namespace autoblog::storage {
class ObjectStorage;
}

namespace autoblog::jobs {

// 2 s doubling to the 10 min cap: about two hours of retries.
inline constexpr int kDeliveryAttempts = 20;

class DeliverPublicationHandler : public JobHandler {
 public:
  DeliverPublicationHandler(net::HttpClient& http, storage::ObjectStorage& storage,
                            std::chrono::milliseconds call_timeout)
      : http_(http), storage_(storage), call_timeout_(call_timeout) {}

  boost::asio::awaitable<std::string> run(JobContext& ctx) override;
  boost::asio::awaitable<void> given_up(tenancy::TenantTx& tx, const ClaimedJob& job,
                                        const std::string& reason) override;

 private:
  net::HttpClient& http_;
  storage::ObjectStorage& storage_;
  std::chrono::milliseconds call_timeout_;
};

// Enqueues one deliver_publication job per delivery in `tx` (the publisher's transaction).
// Removals first cancel the queued publication they undo.
boost::asio::awaitable<void> enqueue_deliveries(tenancy::TenantTx& tx,
                                                const tenancy::ActiveTenant& tenant,
                                                const std::vector<publishing::Delivery>& deliveries);

}  // namespace autoblog::jobs
