#pragma once
// The generate_content job: one content item from `generating` to `generated` (or `approved`
// when the brand auto-approves and the scores pass), through the content engine:
//   1. load the item and the brand; refuse before any provider call when the tenant's
//      limits.daily_token_budget is spent;
//   2. no brief yet: the engine writes one (stored with the article; stored on its own when a
//      later step fails, so a retry does not pay for it again — with the tokens spent so far);
//   3. the article, scored against the brand's thresholds (content::score_generated);
//   4. the image, stored in the tenant's storage;
//   5. one transaction: the item's article with a free slug, brief, scores, image and
//      `generation` record, the day's tokens and images, and the job's completion (exactly
//      once).
// No transaction is open while a provider works. Engine errors map to the queue's signals:
// ProviderBusy -> Snooze (no attempt spent), GenerationFailed -> PermanentFailure; others are
// retried with backoff. When the job gives up, the item becomes `failed` with the reason in
// `generation.error` (the queue refunds the daily unit in the same transaction).
// Thread-safe: no per-job state in the handler; the engine and metrics are shared.
#include "content/engine/content_engine.h"
#include "jobs/handler.h"
#include "observability/metrics.h"

namespace autoblog::jobs {

class GenerateContentHandler : public JobHandler {
 public:
  GenerateContentHandler(content::engine::ContentEngine& engine, observability::Metrics& metrics)
      : engine_(engine), metrics_(metrics) {}

  boost::asio::awaitable<std::string> run(JobContext& ctx) override;
  boost::asio::awaitable<void> given_up(tenancy::TenantTx& tx, const ClaimedJob& job,
                                        const std::string& reason) override;

 private:
  // After a failed step: the brief written (if any) and the tokens spent so far, kept.
  static boost::asio::awaitable<void> keep_spent(JobContext& ctx, const std::string& id,
                                                 const std::optional<std::string>& brief_json,
                                                 std::int64_t tokens);

  content::engine::ContentEngine& engine_;
  observability::Metrics& metrics_;
};

}  // namespace autoblog::jobs
