#pragma once
// A tenant's jobs through the API: read, list, cancel, and today's usage; and the operator's
// view of the whole queue. Each call is one transaction on the shared pool. Cancelling a job
// undoes what enqueueing it did (the content item leaves `generating`, the daily unit is
// refunded) in the same transaction.
// Thread-safe (holds the pool only); the pool must outlive the service.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "content/paging.h"
#include "db/pool.h"
#include "tenancy/active_tenant.h"

namespace autoblog::jobs {

struct UsageToday {
  std::int64_t content_used = 0;
  std::int64_t content_limit = 0;  // -1 unlimited
  std::int64_t generations_running = 0;
  std::int64_t generations_limit = 0;
  std::int64_t ai_tokens_used = 0;   // prompt + completion tokens, as providers reported them
  std::int64_t ai_token_budget = -1;  // limits.daily_token_budget; -1 unlimited
  std::int64_t images_used = 0;
  std::string resets_at;  // next midnight UTC, RFC 3339
};

class JobService {
 public:
  explicit JobService(db::Pool& pool) : pool_(pool) {}

  // JobNotFound (also for another tenant's job); InvalidJobQuery for a malformed id.
  boost::asio::awaitable<std::string> get(const tenancy::ActiveTenant& tenant,
                                          const std::string& id) const;
  // InvalidJobQuery for an unknown state or kind filter, a bad cursor or limit.
  boost::asio::awaitable<content::JsonPage> list(const tenancy::ActiveTenant& tenant,
                                                 const std::optional<std::string>& state,
                                                 const std::optional<std::string>& kind,
                                                 const content::PageRequest& page) const;
  // JobNotFound; JobNotCancellable once running or finished.
  boost::asio::awaitable<std::string> cancel(const tenancy::ActiveTenant& tenant,
                                             const std::string& id) const;
  boost::asio::awaitable<UsageToday> usage(const tenancy::ActiveTenant& tenant) const;

  // GET /v1/admin/queue: depth by priority and state, oldest runnable age, running per tenant.
  boost::asio::awaitable<boost::json::object> queue_overview() const;

 private:
  db::Pool& pool_;
};

}  // namespace autoblog::jobs
