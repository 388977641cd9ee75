#include "jobs/handler.h"

#include "jobs/errors.h"
#include "jobs/job_queries.h"

namespace autoblog::jobs {

boost::asio::awaitable<tenancy::TenantTx> JobContext::begin() const {
  co_return co_await tenancy::TenantTx::begin(pool_, tenant_);
}

boost::asio::awaitable<void> JobContext::complete(tenancy::TenantTx& tx,
                                                  const std::string& result_json) {
  db::Params params{db::param(job_.id), db::param(job_.claim), db::param(owner_),
                    db::param(result_json)};
  auto r = co_await tx.exec(sql::kCompleteOne, std::move(params));
  if (r.empty()) throw LeaseLost();  // tx is dropped by the caller: rolled back
  co_await tx.commit();
  completed_ = true;
}

boost::asio::awaitable<void> JobContext::hold(tenancy::TenantTx& tx) {
  db::Params params{db::param(job_.id), db::param(job_.claim), db::param(owner_)};
  auto r = co_await tx.exec(sql::kHoldOne, std::move(params));
  if (r.empty()) throw LeaseLost();
}

boost::asio::awaitable<void> JobHandler::given_up(tenancy::TenantTx&, const ClaimedJob&,
                                                  const std::string&) {
  co_return;
}

}  // namespace autoblog::jobs
