#include "hosted/view_counter.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "hosted/blog_queries.h"
#include "observability/log.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::hosted {

namespace asio = boost::asio;
namespace json = boost::json;
using observability::log_warn;

void ViewCounter::count(const std::string& tenant_id, const std::string& content_id) {
  std::lock_guard lock(mutex_);
  auto& items = pending_[tenant_id];
  if (auto it = items.find(content_id); it != items.end()) {
    ++it->second;
    return;
  }
  if (items_ >= max_items_) {
    if (!overflow_logged_)
      log_warn("page views: too many distinct posts between two flushes; new ones not counted",
               {{"max_items", static_cast<std::int64_t>(max_items_)}});
    overflow_logged_ = true;
    if (items.empty()) pending_.erase(tenant_id);
    return;
  }
  items.emplace(content_id, 1);
  ++items_;
}

asio::awaitable<void> ViewCounter::flush() {
  std::map<std::string, std::map<std::string, std::int64_t>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
    items_ = 0;
    overflow_logged_ = false;
  }
  for (const auto& [tenant_id, items] : batch) {
    json::array rows;
    for (const auto& [content_id, n] : items) rows.push_back(json::object{{"id", content_id}, {"n", n}});
    std::string failure;
    try {
      auto tenant = co_await registry_.resolve_active(tenant_id);
      auto tx = co_await tenancy::TenantTx::begin(pool_, *tenant);
      db::Params params{db::param(json::serialize(rows))};
      co_await tx.commit_with(queries::kRecordViews, std::move(params));
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) throw;
      failure = e.what();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty())
      log_warn("page views not recorded", {{"tenant_id", tenant_id}, {"error", failure}});
  }
}

asio::awaitable<void> ViewCounter::run(std::chrono::milliseconds every) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(every);
    co_await timer.async_wait(asio::use_awaitable);  // throws operation_aborted when cancelled
    co_await flush();
  }
}

}  // namespace autoblog::hosted
