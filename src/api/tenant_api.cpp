// GET /v1/tenant and the brand configuration: request JSON → content services → responses.
#include "api/tenant_api.h"

#include "api/common.h"
#include "api/definitions.h"
#include "api/jobs_api.h"
#include "content/brand_service.h"
#include "content/content_service.h"
#include "http/errors.h"
#include "publishing/target_config.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;
namespace s = http::schema;

void add_tenant_routes(http::Router& router, db::Pool& pool, cache::TenantCache& cache) {
  content::ContentService content(pool);  // references only: each route keeps a copy
  content::BrandService brand(pool, cache, &publishing::check_publishing_config);
  jobs::JobService jobs(pool);

  auto me = defs::tenant_properties();
  me["limits"] = s::ref("TenantLimits");
  me["usage"] = s::open_object({{"content_created_today", s::integer(0, INT64_MAX)},
                                {"content_today", s::any_object()},
                                {"concurrent_generations", s::any_object()}},
                               {"content_created_today", "content_today", "concurrent_generations"});
  router.add({.method = "GET",
              .path = "/v1/tenant",
              .audience = Audience::kTenant,
              .operation_id = "getCallerTenant",
              .tag = "tenant",
              .summary = "The caller's tenant, its effective limits and today's usage",
              .responses = {defs::response(
                  200, "The tenant",
                  boost::json::object{{"type", "object"},
                                      {"properties", std::move(me)},
                                      {"required", {"id", "name", "domain", "schema_name",
                                                    "status", "subscription_tier", "created_at",
                                                    "updated_at", "limits", "usage"}}})}},
             [content, jobs](Request& req) -> asio::awaitable<Response> {
               const auto& t = active_caller(req);
               auto created_today = co_await content.count_created_today(t);
               auto today = co_await jobs.usage(t);
               auto body = tenant_json(*t);
               body["limits"] = limits_json(t.limits());
               auto usage = usage_json(t, today);
               usage.erase("requests_per_hour");
               usage["content_created_today"] = created_today;
               body["usage"] = std::move(usage);
               co_return http::json_response(200, body);
             });

  router.add({.method = "GET",
              .path = "/v1/brand",
              .audience = Audience::kTenant,
              .operation_id = "getBrand",
              .tag = "tenant",
              .summary = "The tenant's brand configuration",
              .responses = {defs::response(200, "The brand configuration", s::ref("Brand")),
                            defs::error(404, "not_found: no brand configuration yet")},
              .prefetch_cache_key = std::string(content::BrandService::kCacheKey)},
             [brand](Request& req) -> asio::awaitable<Response> {
               auto json = co_await brand.get(active_caller(req), req.prefetched);
               if (!json) throw http::NotFound("no brand configuration yet; PUT /v1/brand");
               co_return Response::json(200, std::move(*json));
             });

  router.add({.method = "PUT",
              .path = "/v1/brand",
              .audience = Audience::kTenant,
              .operation_id = "putBrand",
              .tag = "tenant",
              .summary = "Replace the tenant's brand configuration",
              .body = http::BodySpec{.schema = s::object(
                                         {{"voice_tone", s::any_object()},
                                          {"topics", s::array(boost::json::object{}, 1000)},
                                          {"visual_style", s::nullable(s::any_object())},
                                          {"seo_strategy", s::nullable(s::any_object())},
                                          {"publishing_config", s::nullable(s::any_object())},
                                          {"sources", s::nullable(defs::sources_schema())}},
                                         {"voice_tone", "topics"})},
              .responses = {defs::response(200, "The stored configuration", s::ref("Brand"))}},
             [brand](Request& req) -> asio::awaitable<Response> {
               const auto& body = http::json_body(req);
               auto* voice = http::object_field(body, "voice_tone");
               auto* topics = http::array_field(body, "topics");
               content::BrandConfig config;
               config.voice_tone_json = *json_text(voice);
               config.topics_json = *json_text(topics);
               config.visual_style_json = json_text(http::object_field(body, "visual_style", true));
               config.seo_strategy_json = json_text(http::object_field(body, "seo_strategy", true));
               config.publishing_config_json =
                   json_text(http::object_field(body, "publishing_config", true));
               config.sources_json = json_text(http::object_field(body, "sources", true));
               auto json = co_await brand.put(active_caller(req), config);
               co_return Response::json(200, std::move(json));
             });
}

}  // namespace autoblog::api
