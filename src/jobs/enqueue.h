#pragma once
// Enqueueing a job inside the caller's tenant transaction: the job exists exactly when the
// change that asked for it commits (rolled back with it otherwise), and workers are woken by a
// NOTIFY that PostgreSQL delivers only at that commit.
// Fair queuing (docs/jobs.md): each job gets a virtual-time tag one step after its tenant's
// previous job or the priority's clock, whichever is later; the step is 1/weight of the
// tenant's tier, so tenants with work waiting take turns and a flood from one tenant only
// queues behind itself.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "jobs/job.h"
#include "tenancy/active_tenant.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

// The fair-queuing weight of a tier: starter 1, growth 2, enterprise 4.
double fair_step(tenancy::Tier tier);

struct EnqueuedJob {
  std::string id;
  std::string json;   // the job as the API shows it
  bool created = true;  // false: an unfinished job with the same idempotency key was returned
};

// `tx` must be `tenant`'s transaction. `quota_day`: the day whose content unit this job holds
// (refunded when it ends dead, failed or cancelled).
boost::asio::awaitable<EnqueuedJob> enqueue(tenancy::TenantTx& tx,
                                            const tenancy::ActiveTenant& tenant,
                                            const NewJob& job,
                                            const std::optional<std::string>& quota_day = {});

}  // namespace autoblog::jobs
