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

asio::awaitable<std::optional<std::string>> start_generating(tenancy::TenantTx& tx,
                                                             const std::string& id) {
  db::Params item{param(id)};
  auto started = co_await tx.exec(sql::kStartGenerating, std::move(item));
  if (started.empty()) co_return std::nullopt;
  co_return std::string(started.get(0, 0));
}

asio::awaitable<std::optional<std::string>> reserve_content_unit(
    tenancy::TenantTx& tx, const tenancy::ActiveTenant& tenant) {
  auto limit = tenant.limits().max_daily_content;
  if (limit == 0) co_return std::nullopt;
  db::Params reserve{param(limit)};
  auto unit = co_await tx.exec(sql::kReserveContentUnit, std::move(reserve));
  if (unit.empty()) co_return std::nullopt;
  co_return std::string(unit.get(0, 0));
}

asio::awaitable<EnqueuedJob> enqueue_generation(tenancy::TenantTx& tx,
                                                const tenancy::ActiveTenant& tenant,
                                                const std::string& id,
                                                const std::string& previous_status,
                                                const std::string& quota_day) {
  NewJob job;
  job.kind = std::string(kGenerateContent);
  job.priority = Priority::kHigh;
  job.capped = true;
  job.max_attempts = 3;
  job.payload_json = GenerationPayload{id, previous_status}.to_json();
  co_return co_await enqueue(tx, tenant, job, quota_day);
}

asio::awaitable<EnqueuedJob> GenerationService::request(const tenancy::ActiveTenant& tenant,
                                                        const std::string& content_id) const {
  auto id = content::checked_item_id(content_id);
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  auto previous = co_await start_generating(tx, id);
  if (!previous) {
    db::Params item{param(id)};
    auto status = co_await tx.exec(sql::kItemStatus, std::move(item));
    if (status.empty()) throw content::NotFound();
    throw content::IllegalTransition("content item is " + std::string(status.get(0, 0)) +
                                     "; generation starts from inspiration, briefed, generated "
                                     "or failed");
  }
  auto day = co_await reserve_content_unit(tx, tenant);
  if (!day) quota_exceeded(tenant.limits().max_daily_content);
  auto enqueued = co_await enqueue_generation(tx, tenant, id, *previous, *day);
  co_await tx.commit();
  co_return enqueued;
}

}  // namespace autoblog::jobs
