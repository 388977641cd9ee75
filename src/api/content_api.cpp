// Content item and performance routes: request JSON → content::ContentService inputs →
// responses.
// The rules (statuses, transitions, cursors, dates) live in the service; its errors become HTTP
// statuses in api/error_mapping.cpp.
#include "api/common.h"
#include "api/tenant_api.h"
#include "content/content_service.h"
#include "http/errors.h"
#include "http/json_body.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;

namespace {

content::PageRequest page_request(const Request& req) {
  content::PageRequest page;
  page.limit = http::page_limit(req);
  if (auto c = req.query_param("cursor")) page.cursor = std::string(*c);
  return page;
}

Response page_response(const content::JsonPage& page) {
  return Response::json(200, list_body(page.items, page.next_cursor));
}

}  // namespace

void add_content_routes(http::Router& router, db::Pool& pool) {
  content::ContentService service(pool);  // references only: each route keeps a copy

  router.add("POST", "/v1/content", Audience::kTenant,
             "Create a content item (status inspiration, or briefed with a brief)",
             [service](Request& req) -> asio::awaitable<Response> {
               auto body = http::parse_json_object(req);
               http::require_known_fields(body, {"inspiration_data", "content_brief"});
               auto* inspiration = http::object_field(body, "inspiration_data");
               if (!inspiration) throw http::BadRequest("field 'inspiration_data' is required");
               content::NewContent item;
               item.inspiration_json = *json_text(inspiration);
               item.brief_json = json_text(http::object_field(body, "content_brief", true));
               auto json = co_await service.create(active_caller(req), item);
               auto location = "/v1/content/" + json_id(json);
               auto res = Response::json(201, std::move(json));
               with_location(res, std::move(location));
               co_return res;
             });

  router.add("GET", "/v1/content", Audience::kTenant,
             "List content items, newest first (?status=, ?limit=, ?cursor=)",
             [service](Request& req) -> asio::awaitable<Response> {
               auto page = page_request(req);
               std::optional<std::string> status;
               if (auto s = req.query_param("status")) status = std::string(*s);
               auto result = co_await service.list(active_caller(req), status, page);
               co_return page_response(result);
             });

  router.add("GET", "/v1/content/{id}", Audience::kTenant, "Get a content item",
             [service](Request& req) -> asio::awaitable<Response> {
               auto json = co_await service.get(active_caller(req), uuid_param(req, "id"));
               co_return Response::json(200, std::move(json));
             });

  router.add("PATCH", "/v1/content/{id}", Audience::kTenant,
             "Change a content item's brief, generated content or status (legal transitions only)",
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto body = http::parse_json_object(req);
               http::require_known_fields(body, {"content_brief", "generated_content", "status"});
               content::ContentChanges changes;
               if (auto* brief = http::object_field(body, "content_brief", true))
                 changes.brief_json = json_text(brief);
               if (auto* generated = http::object_field(body, "generated_content", true))
                 changes.generated_json = json_text(generated);
               changes.status = http::string_field(body, "status");
               auto json = co_await service.update(active_caller(req), id, changes);
               co_return Response::json(200, std::move(json));
             });

  router.add("DELETE", "/v1/content/{id}", Audience::kTenant,
             "Delete a content item and its performance records",
             [service](Request& req) -> asio::awaitable<Response> {
               co_await service.remove(active_caller(req), uuid_param(req, "id"));
               co_return Response::no_content();
             });

  router.add("POST", "/v1/content/{id}/performance", Audience::kTenant,
             "Record performance metrics for a content item",
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto body = http::parse_json_object(req);
               http::require_known_fields(body, {"metrics", "tracked_at"});
               auto* metrics = http::object_field(body, "metrics");
               if (!metrics) throw http::BadRequest("field 'metrics' is required");
               content::NewPerformance record;
               record.metrics_json = *json_text(metrics);
               record.tracked_at = http::string_field(body, "tracked_at");
               auto json = co_await service.add_performance(active_caller(req), id, record);
               // Records have no URL of their own: Location names the list that holds it.
               auto res = Response::json(201, std::move(json));
               with_location(res, "/v1/content/" + id + "/performance");
               co_return res;
             });

  router.add("GET", "/v1/content/{id}/performance", Audience::kTenant,
             "List a content item's performance records, newest first",
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto page = page_request(req);
               auto result = co_await service.list_performance(active_caller(req), id, page);
               co_return page_response(result);
             });
}

}  // namespace autoblog::api
