#include "jobs/job_service.h"

#include "db/transaction.h"
#include "jobs/daily_reset.h"
#include "jobs/errors.h"
#include "jobs/generation_payload.h"
#include "jobs/job.h"
#include "jobs/job_json.h"
#include "jobs/job_queries.h"
#include "tenancy/tenant_tx.h"
#include "util/random.h"
#include "util/utf8.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
using db::param;
using tenancy::ActiveTenant;
using tenancy::TenantTx;

namespace {

std::string checked_id(const std::string& id) {
  if (!util::is_uuid(id)) throw InvalidJobQuery("job id must be a UUID");
  return util::normalize_uuid(id);
}

}  // namespace

asio::awaitable<std::string> JobService::get(const ActiveTenant& tenant,
                                             const std::string& id) const {
  auto job_id = checked_id(id);
  auto tx = co_await TenantTx::begin(pool_, tenant);
  db::Params params{param(job_id)};
  auto r = co_await tx.commit_with(sql::kGet, std::move(params));
  if (r.empty()) throw JobNotFound();
  co_return job_json(r, 0);
}

asio::awaitable<content::JsonPage> JobService::list(const ActiveTenant& tenant,
                                                    const std::optional<std::string>& state,
                                                    const std::optional<std::string>& kind,
                                                    const content::PageRequest& page) const {
  if (state && !is_job_state(*state))
    throw InvalidJobQuery("unknown job state '" + util::printable(*state) + "'");
  if (kind && !is_job_kind(*kind))
    throw InvalidJobQuery("unknown job kind '" + util::printable(*kind) + "'");
  content::check_limit(page.limit);
  db::Params p{state, kind};
  content::add_cursor_params(page.cursor, p);
  p.push_back(param(page.limit + 1));
  auto tx = co_await TenantTx::begin(pool_, tenant);
  auto r = co_await tx.commit_with(sql::kList, std::move(p));
  co_return content::page_of(r, page.limit, job_json, job_cursor_timestamp);
}

asio::awaitable<std::string> JobService::cancel(const ActiveTenant& tenant,
                                                const std::string& id) const {
  auto job_id = checked_id(id);
  auto tx = co_await TenantTx::begin(pool_, tenant);
  db::Params params{param(job_id)};
  auto r = co_await tx.exec(sql::kCancel, params);
  if (r.empty()) {
    auto current = co_await tx.exec(sql::kGet, std::move(params));
    if (current.empty()) throw JobNotFound();
    throw JobNotCancellable(std::string(current.get(0, 2)));
  }
  auto json = job_json(r, 0);
  if (r.get(0, 1) == kGenerateContent)
    if (auto payload = GenerationPayload::parse(r.get(0, 12)))
      co_await leave_generating(tx, *payload, payload->previous_status);
  co_await tx.commit();
  co_return json;
}

asio::awaitable<UsageToday> JobService::usage(const ActiveTenant& tenant) const {
  auto tx = co_await TenantTx::begin(pool_, tenant);
  auto r = co_await tx.commit_with(sql::kUsageToday);
  UsageToday u;
  u.content_used = r.get_int(0, 0);
  u.generations_running = r.get_int(0, 1);
  u.ai_tokens_used = r.get_int(0, 2);
  u.images_used = r.get_int(0, 3);
  u.ai_token_budget = tenant.limits().daily_token_budget;
  u.resets_at = next_daily_reset().at;
  u.content_limit = tenant.limits().max_daily_content;
  u.generations_limit = tenant.limits().max_concurrent_generations;
  co_return u;
}

asio::awaitable<boost::json::object> JobService::queue_overview() const {
  auto tx = co_await db::CoreTx::begin(pool_);
  auto depth = co_await tx.exec(sql::kDepth);
  auto oldest = co_await tx.exec(sql::kOldestRunnable);
  auto running = co_await tx.commit_with(sql::kRunningPerTenant);
  boost::json::object out;
  boost::json::object by_priority;
  for (auto p : {"high", "normal", "low"}) {
    boost::json::object counts;
    counts["queued"] = 0;
    counts["running"] = 0;
    by_priority[p] = std::move(counts);
  }
  for (int i = 0; i < depth.rows(); ++i)
    by_priority[depth.get(i, 0)].as_object()[depth.get(i, 1)] = depth.get_int(i, 2);
  out["depth"] = std::move(by_priority);
  out["oldest_runnable_age_seconds"] = std::stod(std::string(oldest.get(0, 0)));
  boost::json::array tenants;
  for (int i = 0; i < running.rows(); ++i)
  {
    boost::json::object t;
    t["tenant_id"] = running.get(i, 0);
    t["subscription_tier"] = running.get(i, 1);
    t["running"] = running.get_int(i, 2);
    t["running_generations"] = running.get_int(i, 3);
    tenants.push_back(std::move(t));
  }
  out["running_per_tenant"] = std::move(tenants);
  co_return out;
}

}  // namespace autoblog::jobs
