#pragma once
// Asking for an article (POST /v1/content/{id}/generate): in ONE tenant transaction the item
// moves to `generating`, one unit of today's max_daily_content is reserved (refused past the
// limit, never check-then-act: the reservation is an atomic upsert on the tenant's usage row)
// and the generate_content job is enqueued. Either all of it commits or none of it.
// Thread-safe (holds the pool only); the pool must outlive the service.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "db/pool.h"
#include "jobs/enqueue.h"
#include "tenancy/active_tenant.h"

namespace autoblog::jobs {

// The steps of a generation request, each in the caller's transaction; request() runs them in
// one, and scheduled discovery (auto_generate) in the transaction that stores its inspirations.
// Moves item `id` into `generating`; the status it had, or nullopt when it is missing or in a
// status generation does not start from.
boost::asio::awaitable<std::optional<std::string>> start_generating(tenancy::TenantTx& tx,
                                                                    const std::string& id);
// Reserves one unit of today's max_daily_content: the day (UTC) it belongs to, or nullopt when
// the tenant's limit is reached.
boost::asio::awaitable<std::optional<std::string>> reserve_content_unit(
    tenancy::TenantTx& tx, const tenancy::ActiveTenant& tenant);
// Enqueues the generate_content job of an item that start_generating moved from
// `previous_status`, holding the unit of `quota_day` (refunded if the job ends dead, failed or
// cancelled).
boost::asio::awaitable<EnqueuedJob> enqueue_generation(tenancy::TenantTx& tx,
                                                       const tenancy::ActiveTenant& tenant,
                                                       const std::string& id,
                                                       const std::string& previous_status,
                                                       const std::string& quota_day);

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
