#pragma once
// Asking for an article (POST /v1/content/{id}/generate): in ONE tenant transaction the item
// moves to `generating`, one unit of today's max_daily_content is reserved (refused past the
// limit, never check-then-act: the reservation is an atomic upsert on the tenant's usage row)
// and the generate_content job is enqueued. Either all of it commits or none of it.
// Thread-safe (holds the pool only); the pool must outlive the service.
#include <boost/asio/awaitable.hpp>
#include <string>

#include "db/pool.h"
#include "jobs/enqueue.h"
#include "tenancy/active_tenant.h"

namespace autoblog::jobs {

class GenerationService {
 public:
  explicit GenerationService(db::Pool& pool) : pool_(pool) {}

  // content::NotFound; content::IllegalTransition unless the item is inspiration, briefed,
  // generated or failed; domain::QuotaExceededError past the daily limit (with its reset time).
  boost::asio::awaitable<EnqueuedJob> request(const tenancy::ActiveTenant& tenant,
                                              const std::string& content_id) const;

 private:
  db::Pool& pool_;
};

}  // namespace autoblog::jobs
