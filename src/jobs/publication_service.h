#pragma once
// Requests to publish and unpublish content items (POST /v1/content/{id}/publish|unpublish):
// the status rules (publishing/rules.h) checked with the item's row locked, and the
// publish_content job enqueued in the same transaction, so an item is scheduled exactly when its
// job exists.
//   - publish, no publish_at or one not in the future: a publish_content job runs now (normal
//     priority); the item stays `approved` until it is published by the job.
//   - publish_at in the future: the item becomes `scheduled` and the job's run_at is publish_at.
//   One idempotency key per item ("publish:<id>"): a second request replaces a job still queued
//   (the newest publish_at wins) and never adds a second runnable one.
//   - unpublish: a published item leaves every target and goes back to `approved` (it may be
//     published again); a scheduled one goes back to `approved` and its queued job is cancelled.
// Errors: content::NotFound, content::InvalidInput (id, publish_at), content::IllegalTransition
// (status; an item without an article). Thread-safe (holds the pool only).
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "db/pool.h"
#include "jobs/enqueue.h"
#include "tenancy/active_tenant.h"

namespace autoblog::jobs {

struct PublishRequested {
  std::string item_json;
  EnqueuedJob job;
};

class PublicationService {
 public:
  explicit PublicationService(db::Pool& pool) : pool_(pool) {}

  boost::asio::awaitable<PublishRequested> publish(const tenancy::ActiveTenant& tenant,
                                                   const std::string& content_id,
                                                   const std::optional<std::string>& publish_at) const;
  boost::asio::awaitable<std::string> unpublish(const tenancy::ActiveTenant& tenant,
                                                const std::string& content_id) const;

 private:
  db::Pool& pool_;
};

}  // namespace autoblog::jobs
