#include "content/trends/schedule.h"

#include "content/trends/schedule_queries.h"

namespace autoblog::content::trends {

boost::asio::awaitable<void> save_schedule(tenancy::TenantTx& tx, const Sources& sources) {
  if (sources.feeds.empty()) {
    co_await tx.exec(queries::kDeleteSchedule);
    co_return;
  }
  db::Params p{db::param(sources.every_hours)};
  co_await tx.exec(queries::kUpsertSchedule, std::move(p));
}

}  // namespace autoblog::content::trends
