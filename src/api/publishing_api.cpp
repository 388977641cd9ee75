#include "api/publishing_api.h"

#include "api/common.h"
#include "api/definitions.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"
#include "jobs/publication_service.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;
namespace s = http::schema;

void add_publishing_routes(http::Router& router, db::Pool& pool) {
  jobs::PublicationService service(pool);  // references only: each route keeps a copy
  const auto content_id = defs::uuid_path("id", "The content item's id");
  const auto item_schema = s::ref("ContentItem");

  router.add(
      {.method = "POST",
       .path = "/v1/content/{id}/publish",
       .audience = Audience::kTenant,
       .operation_id = "publishContent",
       .tag = "content",
       .summary = "Publish an approved item now, or schedule it (publish_at)",
       .description =
           "Only an approved item with an article (title, slug, body_markdown) can be "
           "published; any other status is a 409 that names it. Without publish_at, or with "
           "one that is not in the future, a publish_content job runs now and the item "
           "becomes published when the first of the brand's publishing targets succeeds. "
           "With a future publish_at the item becomes scheduled and the job runs at that "
           "time. Every target's outcome is kept in the item's publications.",
       .params = {content_id},
       .body = http::BodySpec{.schema = s::object(
                                  {{"publish_at", s::with_description(
                                                      s::date_time(),
                                                      "When to publish (RFC 3339); default now")}}),
                              .required = false},
       .responses = {defs::response(202, "The item and the queued publish_content job",
                                    s::object({{"item", item_schema}, {"job", s::ref("Job")}},
                                              {"item", "job"})),
                     defs::error(409, "conflict: the item is not approved or has no article")}},
      [service](Request& req) -> asio::awaitable<Response> {
        std::optional<std::string> publish_at;
        if (req.json_body) publish_at = http::string_field(http::json_body(req), "publish_at");
        auto r = co_await service.publish(active_caller(req), uuid_param(req, "id"), publish_at);
        co_return job_accepted("{\"item\":" + r.item_json + ",\"job\":" + r.job.json + "}",
                               r.job.id);
      });

  router.add(
      {.method = "POST",
       .path = "/v1/content/{id}/unpublish",
       .audience = Audience::kTenant,
       .operation_id = "unpublishContent",
       .tag = "content",
       .summary = "Take a published or scheduled item off its targets",
       .description = "A published item is removed from the hosted blog (and from every target "
                      "that supports removal) and goes back to approved, with published_at "
                      "cleared, so it can be published again. A scheduled item goes back to "
                      "approved and its queued publish job is cancelled. Any other status is a "
                      "409 that names it.",
       .params = {content_id},
       .responses = {defs::response(200, "The item, approved again", item_schema),
                     defs::error(409, "conflict: the item is not published or scheduled")}},
      [service](Request& req) -> asio::awaitable<Response> {
        auto json = co_await service.unpublish(active_caller(req), uuid_param(req, "id"));
        co_return Response::json(200, std::move(json));
      });
}

}  // namespace autoblog::api
