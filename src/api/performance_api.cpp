// Performance routes: request JSON and query parameters → content::ContentService /
// content::PerformanceStats inputs → responses. The rules (periods, buckets, batch sizes) live
// in the services; their errors become HTTP statuses in api/error_mapping.cpp.
#include "api/performance_api.h"

#include "api/common.h"
#include "api/definitions.h"
#include "content/content_service.h"
#include "content/performance_stats.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;
namespace s = http::schema;

namespace {

std::optional<std::string> query_text(const Request& req, std::string_view name) {
  if (auto v = req.query_param(name)) return std::string(*v);
  return std::nullopt;
}

content::Period period_of(const Request& req) {
  return content::Period{query_text(req, "from"), query_text(req, "to")};
}

boost::json::value one_of(std::initializer_list<boost::json::value> schemas) {
  boost::json::array list(schemas.begin(), schemas.end());
  boost::json::object o;
  o["oneOf"] = std::move(list);
  return o;
}

boost::json::value series_schema() {
  return s::object(
      {{"content_id", s::uuid()},
       {"bucket", s::string_enum({"hour", "day", "week"})},
       {"from", s::date_time()},
       {"to", s::date_time()},
       {"series", s::array(s::object({{"start", s::date_time()},
                                      {"metrics", s::with_description(
                                                      s::any_object(), "metric name → sum")}},
                                     {"start", "metrics"}),
                           9000)}},
      {"content_id", "bucket", "from", "to", "series"});
}

boost::json::value top_schema() {
  auto nullable_text = s::nullable(s::string());
  return s::object(
      {{"metric", s::string(1, 64)},
       {"from", s::date_time()},
       {"to", s::date_time()},
       {"items", s::array(s::object({{"content_id", s::uuid()},
                                     {"total", boost::json::object{{"type", "number"}}},
                                     {"status", s::string()},
                                     {"title", nullable_text},
                                     {"slug", nullable_text},
                                     {"published_at", s::nullable(s::date_time())}},
                                    {"content_id", "total", "status", "title", "slug",
                                     "published_at"}),
                          100)}},
      {"metric", "from", "to", "items"});
}

http::ParamSpec time_query(const char* name, const char* description) {
  return {name, http::ParamSpec::In::kQuery, false, s::date_time(), description};
}

}  // namespace

void add_performance_routes(http::Router& router, db::Pool& pool) {
  content::ContentService service(pool);  // references only: each route keeps a copy
  content::PerformanceStats stats(pool);
  const auto content_id = defs::uuid_path("id", "The content item's id");
  const auto record = s::object({{"metrics", s::any_object()},
                                 {"tracked_at", s::with_description(
                                                    s::date_time(), "When measured; default now")}},
                                {"metrics"});
  const auto from = time_query("from", "Start of the period (RFC 3339); default 30 days before `to`");
  const auto to = time_query("to", "End of the period, excluded (RFC 3339); default now");

  router.add(
      {.method = "POST",
       .path = "/v1/content/{id}/performance",
       .audience = Audience::kTenant,
       .operation_id = "recordPerformance",
       .tag = "content",
       .summary = "Record performance metrics for a content item: one record, or a batch",
       .description = "Either `metrics` (and `tracked_at`) for one record, answered with the "
                      "record, or `records` (1-1000 of them) for a batch, answered with the "
                      "number stored; never both.",
       .params = {content_id},
       .body = http::BodySpec{.schema = s::object(
                                  {{"metrics", s::any_object()},
                                   {"tracked_at", s::with_description(s::date_time(),
                                                                      "When measured; default now")},
                                   {"records", s::array(record, content::PerformanceStats::kMaxBatch)}},
                                  {})},
       .responses = {defs::created(
           "The record, or {content_id, inserted} for a batch",
           one_of({s::ref("PerformanceRecord"),
                   s::object({{"content_id", s::uuid()},
                              {"inserted", s::integer(1, content::PerformanceStats::kMaxBatch)}},
                             {"content_id", "inserted"})}))}},
      [service, stats](Request& req) -> asio::awaitable<Response> {
        auto id = uuid_param(req, "id");
        const auto& body = http::json_body(req);
        auto* metrics = http::object_field(body, "metrics");
        auto* records = body.if_contains("records");
        if ((metrics != nullptr) == (records != nullptr))
          throw http::BadRequest("give either metrics (one record) or records (a batch)");
        std::string json;
        if (records) {
          std::vector<content::NewPerformance> batch;
          for (const auto& r : records->as_array()) {
            content::NewPerformance one;
            one.metrics_json = *json_text(r.as_object().if_contains("metrics"));
            if (auto* t = r.as_object().if_contains("tracked_at"))
              one.tracked_at = std::string(t->as_string());
            batch.push_back(std::move(one));
          }
          json = co_await stats.record_batch(active_caller(req), id, batch);
        } else {
          content::NewPerformance one;
          one.metrics_json = *json_text(metrics);
          one.tracked_at = http::string_field(body, "tracked_at");
          json = co_await service.add_performance(active_caller(req), id, one);
        }
        // Records have no URL of their own: Location names the list that holds them.
        auto res = Response::json(201, std::move(json));
        with_location(res, "/v1/content/" + id + "/performance");
        co_return res;
      });

  router.add(
      {.method = "GET",
       .path = "/v1/content/{id}/performance",
       .audience = Audience::kTenant,
       .operation_id = "listPerformance",
       .tag = "content",
       .summary = "A content item's performance: the records (newest first), or with `bucket` "
                  "the sums of every numeric metric per hour, day or week over a period",
       .params = {content_id,
                  {"bucket", http::ParamSpec::In::kQuery, false,
                   s::string_enum({"hour", "day", "week"}),
                   "Sum per bucket (UTC; weeks start on Monday) instead of listing records"},
                  from, to, defs::limit_query(), defs::cursor_query()},
       .responses = {defs::response(
           200, "A page of records, or with bucket the series",
           one_of({defs::page_of(s::ref("PerformanceRecord")), series_schema()}))}},
      [service, stats](Request& req) -> asio::awaitable<Response> {
        auto id = uuid_param(req, "id");
        if (auto bucket = query_text(req, "bucket")) {
          auto json = co_await stats.series(active_caller(req), id, *bucket, period_of(req));
          co_return Response::json(200, std::move(json));
        }
        auto page = page_request(req);
        auto result = co_await service.list_performance(active_caller(req), id, page);
        co_return page_response(result);
      });

  router.add(
      {.method = "GET",
       .path = "/v1/performance/top",
       .audience = Audience::kTenant,
       .operation_id = "topPerformance",
       .tag = "content",
       .summary = "The tenant's items ranked by the sum of one metric over a period",
       .params = {{"metric", http::ParamSpec::In::kQuery, false, s::string(1, 64),
                   "The metric to rank by (default views)"},
                  from, to, defs::limit_query(10, 100)},
       .responses = {defs::response(200, "The ranking", top_schema())}},
      [stats](Request& req) -> asio::awaitable<Response> {
        auto metric = query_text(req, "metric").value_or("views");
        const int limit = http::page_limit(req, 10, 100);
        auto json = co_await stats.top(active_caller(req), metric, period_of(req), limit);
        co_return Response::json(200, std::move(json));
      });
}

}  // namespace autoblog::api
