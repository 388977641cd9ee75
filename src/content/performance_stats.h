#pragma once
// Performance over time: batches of records in, sums per bucket and rankings out.
//   record_batch  many records of one item in one statement (an analytics export, the hosted
//                 blog's page views);
//   series        the sums of every numeric metric of one item per hour, day or week over a
//                 period, every bucket listed (empty ones too), oldest first;
//   top           the tenant's items ranked by the sum of one metric over a period.
// Periods are [from, to): `to` defaults to now, `from` to 30 days before `to`; at most 31 days
// for hourly buckets and 366 days otherwise (InvalidInput beyond, or when from ≥ to). Times are
// RFC 3339; buckets start at UTC boundaries (weeks on Mondays). Each call is one TenantTx, one
// statement. Thread-safe (holds the pool only); the pool must outlive the service.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "content/content_service.h"
#include "db/pool.h"
#include "tenancy/active_tenant.h"

namespace autoblog::content {

struct Period {
  std::optional<std::string> from;  // RFC 3339 date-time (already checked by the route)
  std::optional<std::string> to;
};

class PerformanceStats {
 public:
  static constexpr int kMaxBatch = 1000;

  explicit PerformanceStats(db::Pool& pool) : pool_(pool) {}

  // {"content_id", "inserted"}; NotFound for an unknown item, InvalidInput for an empty or
  // oversized batch.
  boost::asio::awaitable<std::string> record_batch(const tenancy::ActiveTenant& tenant,
                                                   const std::string& content_id,
                                                   const std::vector<NewPerformance>& records) const;
  // {"content_id", "bucket", "from", "to", "series": [{"start", "metrics": {name: sum}}]}
  boost::asio::awaitable<std::string> series(const tenancy::ActiveTenant& tenant,
                                             const std::string& content_id,
                                             const std::string& bucket, const Period& period) const;
  // {"metric", "from", "to", "items": [{"content_id", "total", "status", "title", "slug",
  // "published_at"}]}; `metric` is a metric name ([A-Za-z0-9_.-], 1-64 characters).
  boost::asio::awaitable<std::string> top(const tenancy::ActiveTenant& tenant,
                                          const std::string& metric, const Period& period,
                                          int limit) const;

 private:
  db::Pool& pool_;
};

}  // namespace autoblog::content
