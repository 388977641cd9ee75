// GET /v1/tenant and the brand configuration: request JSON → content services → responses.
#include "api/tenant_api.h"

#include "api/common.h"
#include "content/brand_service.h"
#include "content/content_service.h"
#include "http/errors.h"
#include "http/json_body.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;

void add_tenant_routes(http::Router& router, db::Pool& pool, cache::TenantCache& cache) {
  content::ContentService content(pool);  // references only: each route keeps a copy
  content::BrandService brand(pool, cache);

  router.add("GET", "/v1/tenant", Audience::kTenant,
             "The caller's tenant, its effective limits and today's usage",
             [content](Request& req) -> asio::awaitable<Response> {
               const auto& t = active_caller(req);
               auto created_today = co_await content.count_created_today(t);
               auto body = tenant_json(*t);
               body["limits"] = limits_json(t.limits());
               boost::json::object usage;
               usage["content_created_today"] = created_today;
               body["usage"] = std::move(usage);
               co_return http::json_response(200, body);
             });

  router.add("GET", "/v1/brand", Audience::kTenant, "The tenant's brand configuration",
             [brand](Request& req) -> asio::awaitable<Response> {
               auto json = co_await brand.get(active_caller(req));
               if (!json) throw http::NotFound("no brand configuration yet; PUT /v1/brand");
               co_return Response::json(200, std::move(*json));
             });

  router.add("PUT", "/v1/brand", Audience::kTenant, "Replace the tenant's brand configuration",
             [brand](Request& req) -> asio::awaitable<Response> {
               auto body = http::parse_json_object(req);
               http::require_known_fields(body, {"voice_tone", "topics", "visual_style",
                                                 "seo_strategy", "publishing_config"});
               auto* voice = http::object_field(body, "voice_tone");
               auto* topics = http::array_field(body, "topics");
               if (!voice) throw http::BadRequest("field 'voice_tone' is required");
               if (!topics) throw http::BadRequest("field 'topics' is required");
               content::BrandConfig config;
               config.voice_tone_json = *json_text(voice);
               config.topics_json = *json_text(topics);
               config.visual_style_json = json_text(http::object_field(body, "visual_style", true));
               config.seo_strategy_json = json_text(http::object_field(body, "seo_strategy", true));
               config.publishing_config_json =
                   json_text(http::object_field(body, "publishing_config", true));
               auto json = co_await brand.put(active_caller(req), config);
               co_return Response::json(200, std::move(json));
             });
}

}  // namespace autoblog::api
