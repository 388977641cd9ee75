#pragma once
// Auto-generation of a scheduled discovery run (sources.auto_generate, docs/trends.md): the best
// `wanted` of the items the run created go through the steps of POST /v1/content/{id}/generate
// (jobs/generation_service.h) in the run's own transaction, so the items, their generation jobs
// and the discovery's completion commit together, once. Each takes a unit of today's quota; at
// the limit it stops quietly and says so in the returned report:
//   {"requested", "started", "generations": [{"content_id", "job_id"}],
//    "stopped"?: "quota_exceeded"}
// Stateless; the transaction is the caller's.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "tenancy/active_tenant.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::jobs {

// `created`: the ids of the items this run created in `tx`, best first.
boost::asio::awaitable<boost::json::object> auto_generate(tenancy::TenantTx& tx,
                                                          const tenancy::ActiveTenant& tenant,
                                                          const std::vector<std::string>& created,
                                                          int wanted);

}  // namespace autoblog::jobs
