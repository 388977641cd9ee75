#include "jobs/enqueue.h"

#include <stdexcept>

#include "jobs/job_json.h"
#include "jobs/job_queries.h"

namespace autoblog::jobs {

double fair_step(tenancy::Tier tier) {
  switch (tier) {
    case tenancy::Tier::kStarter: return 1.0;
    case tenancy::Tier::kGrowth: return 0.5;
    case tenancy::Tier::kEnterprise: return 0.25;
  }
  return 1.0;
}

namespace {

// $2..$6 of kEnqueue and kEnqueueMany: kind, priority, fair-queuing step, capped, payload.
db::Params job_params(const tenancy::TenantTx& tx, const tenancy::ActiveTenant& tenant,
                      const NewJob& job) {
  if (tx.tenant_id() != tenant.id()) throw std::logic_error("enqueue: transaction of another tenant");
  return {db::param(job.kind), db::param(static_cast<int>(job.priority)),
          std::to_string(fair_step(tenant->tier)), db::param(job.capped),
          db::param(job.payload_json)};
}

}  // namespace

boost::asio::awaitable<EnqueuedJob> enqueue(tenancy::TenantTx& tx,
                                            const tenancy::ActiveTenant& tenant,
                                            const NewJob& job,
                                            const std::optional<std::string>& quota_day) {
  auto params = job_params(tx, tenant, job);
  params.insert(params.end(), {job.idempotency_key, db::param(job.max_attempts),
                               db::param(static_cast<std::int64_t>(job.delay.count())), quota_day});
  auto r = co_await tx.exec(sql::kEnqueue, std::move(params));
  if (!r.empty()) co_return EnqueuedJob{std::string(r.get(0, 0)), job_json(r, 0), true};
  // The idempotency key is held by an unfinished job: that job is the answer.
  db::Params key{job.idempotency_key};
  auto existing = co_await tx.exec(sql::kGetByIdempotencyKey, std::move(key));
  if (existing.empty()) throw std::runtime_error("enqueue: idempotency conflict without a holder");
  co_return EnqueuedJob{std::string(existing.get(0, 0)), job_json(existing, 0), false};
}

boost::asio::awaitable<void> enqueue_many(tenancy::TenantTx& tx,
                                          const tenancy::ActiveTenant& tenant, const NewJob& job,
                                          int count) {
  auto params = job_params(tx, tenant, job);
  params.insert(params.end(), {db::param(job.max_attempts), db::param(count)});
  co_await tx.exec(sql::kEnqueueMany, std::move(params));
}

}  // namespace autoblog::jobs
