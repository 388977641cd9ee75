#include "content/performance_stats.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "content/errors.h"
#include "content/item_id.h"
#include "content/performance_queries.h"
#include "tenancy/tenant_tx.h"
#include "util/time.h"

namespace autoblog::content {

namespace asio = boost::asio;
namespace json = boost::json;
using db::param;

namespace {

// The longest period for a bucket size, as a PostgreSQL interval.
const char* max_span(const std::string& bucket) {
  if (bucket == "hour") return "31 days";
  if (bucket == "day" || bucket == "week") return "366 days";
  throw InvalidInput("bucket must be hour, day or week");
}

void check_period(const db::Result& r, int ok_col, const char* max) {
  if (!r.get_bool(0, ok_col))
    throw InvalidInput(std::string("the period must have from before to and span at most ") + max);
}

bool valid_metric_name(const std::string& m) {
  if (m.empty() || m.size() > 64) return false;
  for (unsigned char c : m)
    if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

std::string timestamp(const db::Result& r, int row, int col) {
  return util::rfc3339_from_postgres(r.get(row, col));
}

// A numeric sum as PostgreSQL prints it ("12", "3.50"), which is already a JSON number.
json::value number(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(std::string(text)) : v;
}

}  // namespace

asio::awaitable<std::string> PerformanceStats::record_batch(
    const tenancy::ActiveTenant& tenant, const std::string& content_id,
    const std::vector<NewPerformance>& records) const {
  auto id = checked_item_id(content_id);
  if (records.empty()) throw InvalidInput("records must hold at least one record");
  if (records.size() > static_cast<std::size_t>(kMaxBatch))
    throw InvalidInput("records may hold at most " + std::to_string(kMaxBatch) + " records");
  json::array rows;
  rows.reserve(records.size());
  for (const auto& r : records) {
    json::object row;
    row["metrics"] = json::parse(r.metrics_json);
    if (r.tracked_at) row["tracked_at"] = *r.tracked_at;
    rows.emplace_back(std::move(row));
  }
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  db::Params params{param(id), param(json::serialize(rows))};
  auto r = co_await tx.commit_with(queries::kInsertPerformanceBatch, std::move(params));
  if (r.empty()) throw NotFound();
  json::object out;
  out["content_id"] = id;
  out["inserted"] = r.rows();
  co_return json::serialize(out);
}

asio::awaitable<std::string> PerformanceStats::series(const tenancy::ActiveTenant& tenant,
                                                      const std::string& content_id,
                                                      const std::string& bucket,
                                                      const Period& period) const {
  auto id = checked_item_id(content_id);
  const char* max = max_span(bucket);
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  db::Params params{param(id), period.from, period.to, param(bucket), param(max)};
  auto r = co_await tx.commit_with(queries::kPerformanceSeries, std::move(params));
  if (!r.get_bool(0, 0)) throw NotFound();
  check_period(r, 1, max);
  json::array series;
  for (int i = 0; i < r.rows(); ++i) {
    auto start = timestamp(r, i, 4);
    if (series.empty() || series.back().as_object().at("start").as_string() != start) {
      json::object b;
      b["start"] = start;
      b["metrics"] = json::object();
      series.emplace_back(std::move(b));
    }
    if (!r.is_null(i, 5))
      series.back().as_object()["metrics"].as_object()[r.get(i, 5)] = number(r.get(i, 6));
  }
  json::object out;
  out["content_id"] = id;
  out["bucket"] = bucket;
  out["from"] = timestamp(r, 0, 2);
  out["to"] = timestamp(r, 0, 3);
  out["series"] = std::move(series);
  co_return json::serialize(out);
}

asio::awaitable<std::string> PerformanceStats::top(const tenancy::ActiveTenant& tenant,
                                                   const std::string& metric,
                                                   const Period& period, int limit) const {
  if (!valid_metric_name(metric))
    throw InvalidInput("metric must be 1-64 letters, digits, '_', '.' or '-'");
  if (limit < 1 || limit > 100) throw InvalidInput("limit must be 1-100");
  const char* max = "366 days";
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  db::Params params{param(metric), period.from, period.to, param(limit), param(max)};
  auto r = co_await tx.commit_with(queries::kPerformanceTop, std::move(params));
  check_period(r, 0, max);
  json::array items;
  for (int i = 0; i < r.rows(); ++i) {
    if (r.is_null(i, 3)) continue;
    json::object item;
    item["content_id"] = r.get(i, 3);
    item["total"] = number(r.get(i, 4));
    item["status"] = r.get(i, 5);
    item["title"] = r.is_null(i, 6) ? json::value(nullptr) : json::value(r.get(i, 6));
    item["slug"] = r.is_null(i, 7) ? json::value(nullptr) : json::value(r.get(i, 7));
    item["published_at"] =
        r.is_null(i, 8) ? json::value(nullptr) : json::value(timestamp(r, i, 8));
    items.emplace_back(std::move(item));
  }
  json::object out;
  out["metric"] = metric;
  out["from"] = timestamp(r, 0, 1);
  out["to"] = timestamp(r, 0, 2);
  out["items"] = std::move(items);
  co_return json::serialize(out);
}

}  // namespace autoblog::content
