#include "jobs/generation_service.h"


#include "content/errors.h"
#include "content/item_id.h"
#include "domain/errors.h"
#include "jobs/daily_reset.h"
#include "jobs/generation_payload.h"
#include "jobs/generation_queries.h"
#include "jobs/job_queries.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
using db::param;

namespace {

[[noreturn]] void quota_exceeded(std::int64_t limit) {
  auto reset = next_daily_reset();
  throw domain::QuotaExceededError("daily content limit of " + std::to_string(limit) +
                                       " reached; it resets at " + reset.at,
                                   reset.at, reset.seconds_left);
}

}  // namespace

asio::awaitable<EnqueuedJob> GenerationService::request(const tenancy::ActiveTenant& tenant,
                                                        const std::string& content_id) const {
  auto id = content::checked_item_id(content_id);
  auto limit = tenant.limits().max_daily_content;
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  db::Params item{param(id)};
  auto started = co_await tx.exec(sql::kStartGenerating, item);
  if (started.empty()) {
    auto status = co_await tx.exec(sql::kItemStatus, item);
    if (status.empty()) throw content::NotFound();
    throw content::IllegalTransition("content item is " + std::string(status.get(0, 0)) +
                                     "; generation starts from inspiration, briefed, generated "
                                     "or failed");
  }
  if (limit == 0) quota_exceeded(limit);
  db::Params reserve{param(limit)};
  auto unit = co_await tx.exec(sql::kReserveContentUnit, std::move(reserve));
  if (unit.empty()) quota_exceeded(limit);

  NewJob job;
  job.kind = std::string(kGenerateContent);
  job.priority = Priority::kHigh;
  job.capped = true;
  job.max_attempts = 3;
  job.payload_json = GenerationPayload{id, std::string(started.get(0, 0))}.to_json();
  auto enqueued = co_await enqueue(tx, tenant, job, std::string(unit.get(0, 0)));
  co_await tx.commit();
  co_return enqueued;
}

}  // namespace autoblog::jobs
