// Content item routes: request JSON → content::ContentService inputs → responses (performance
// records: api/performance_api.cpp).
// The rules (statuses, transitions, cursors, dates) live in the service; its errors become HTTP
// statuses in api/error_mapping.cpp.
#include "api/common.h"
#include "api/definitions.h"
#include "api/tenant_api.h"
#include "content/content_service.h"
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

void add_content_routes(http::Router& router, db::Pool& pool) {
  content::ContentService service(pool);  // references only: each route keeps a copy

  const auto item_schema = s::ref("ContentItem");
  const auto content_id = defs::uuid_path("id", "The content item's id");
  const auto status_schema =
      s::string_enum({"inspiration", "briefed", "generating", "generated", "approved",
                      "scheduled", "published", "failed", "archived"});

  router.add({.method = "POST",
              .path = "/v1/content",
              .audience = Audience::kTenant,
              .operation_id = "createContent",
              .tag = "content",
              .summary = "Create a content item (status inspiration, or briefed with a brief)",
              .body = http::BodySpec{.schema = s::object(
                                         {{"inspiration_data", s::any_object()},
                                          {"content_brief", s::nullable(s::any_object())}},
                                         {"inspiration_data"})},
              .responses = {defs::created("The new item", item_schema)}},
             [service](Request& req) -> asio::awaitable<Response> {
               const auto& body = http::json_body(req);
               auto* inspiration = http::object_field(body, "inspiration_data");
               content::NewContent item;
               item.inspiration_json = *json_text(inspiration);
               item.brief_json = json_text(http::object_field(body, "content_brief", true));
               auto json = co_await service.create(active_caller(req), item);
               auto location = "/v1/content/" + json_id(json);
               auto res = Response::json(201, std::move(json));
               with_location(res, std::move(location));
               co_return res;
             });

  router.add({.method = "GET",
              .path = "/v1/content",
              .audience = Audience::kTenant,
              .operation_id = "listContent",
              .tag = "content",
              .summary = "List content items, newest first",
              .params = {{"status", http::ParamSpec::In::kQuery, false, status_schema,
                          "Only items in this status"},
                         defs::limit_query(),
                         defs::cursor_query()},
              .responses = {defs::response(200, "A page of items", defs::page_of(item_schema))}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto page = page_request(req);
               std::optional<std::string> status;
               if (auto s = req.query_param("status")) status = std::string(*s);
               auto result = co_await service.list(active_caller(req), status, page);
               co_return page_response(result);
             });

  router.add({.method = "GET",
              .path = "/v1/content/{id}",
              .audience = Audience::kTenant,
              .operation_id = "getContent",
              .tag = "content",
              .summary = "Get a content item",
              .params = {content_id},
              .responses = {defs::response(200, "The item", item_schema)}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto json = co_await service.get(active_caller(req), uuid_param(req, "id"));
               co_return Response::json(200, std::move(json));
             });

  router.add({.method = "PATCH",
              .path = "/v1/content/{id}",
              .audience = Audience::kTenant,
              .operation_id = "updateContent",
              .tag = "content",
              .summary = "Change a content item's brief, generated content or status",
              .description = "Status changes follow the pipeline: inspiration → briefed → "
                             "generating → generated → approved → (scheduled →) published, "
                             "plus failed and archived. A client may not move an item into "
                             "generating, scheduled or published (409). A new "
                             "generated_content is a review edit: its quality_scores are "
                             "recomputed for the brand's seo_strategy (null clears them) and, "
                             "when the article changes, generation records human_edited: true "
                             "and edited_at. Refused (409) while the item is generating, and "
                             "for a slug another item already uses.",
              .params = {content_id},
              .body = http::BodySpec{.schema = s::object(
                                         {{"content_brief", s::nullable(s::any_object())},
                                          {"generated_content", s::nullable(s::any_object())},
                                          {"status", status_schema}})},
              .responses = {defs::response(200, "The changed item", item_schema),
                            defs::error(409,
                                        "conflict: a status change the pipeline forbids, an "
                                        "edit while generating, or a slug already used")}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               const auto& body = http::json_body(req);
               content::ContentChanges changes;
               if (auto* brief = http::object_field(body, "content_brief", true))
                 changes.brief_json = json_text(brief);
               if (auto* generated = http::object_field(body, "generated_content", true))
                 changes.generated_json = json_text(generated);
               changes.status = http::string_field(body, "status");
               auto json = co_await service.update(active_caller(req), id, changes);
               co_return Response::json(200, std::move(json));
             });

  router.add({.method = "POST",
              .path = "/v1/content/{id}/approve",
              .audience = Audience::kTenant,
              .operation_id = "approveContent",
              .tag = "content",
              .summary = "Approve a generated article (generated → approved)",
              .description = "Only a generated item can be approved; any other status is a 409 "
                             "that names it.",
              .params = {content_id},
              .responses = {defs::response(200, "The approved item", item_schema),
                            defs::error(409, "conflict: the item is not generated")}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto json = co_await service.approve(active_caller(req), uuid_param(req, "id"));
               co_return Response::json(200, std::move(json));
             });

  router.add({.method = "DELETE",
              .path = "/v1/content/{id}",
              .audience = Audience::kTenant,
              .operation_id = "deleteContent",
              .tag = "content",
              .summary = "Delete a content item and its performance records",
              .params = {content_id},
              .responses = {defs::no_content("Deleted")}},
             [service](Request& req) -> asio::awaitable<Response> {
               co_await service.remove(active_caller(req), uuid_param(req, "id"));
               co_return Response::no_content();
             });
}

}  // namespace autoblog::api
