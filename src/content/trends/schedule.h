#pragma once
// The row of autoblog_core.discovery_schedules that makes the scheduler run a brand's discovery
// (jobs/scheduler.h; docs/trends.md "Scheduled discovery"). PUT /v1/brand calls save_schedule
// in the transaction that stores the brand, so the row and the brand cannot disagree.
// Stateless; the transaction is the caller's.
#include <boost/asio/awaitable.hpp>

#include "content/trends/sources.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::content::trends {

// Feeds listed: the row is created (first period planned by the scheduler one every_hours after
// now) or, when every_hours changed, re-planned from the last scheduled run. No feeds: the row
// is deleted and scheduled discovery stops.
boost::asio::awaitable<void> save_schedule(tenancy::TenantTx& tx, const Sources& sources);

}  // namespace autoblog::content::trends
