#include "api/tenant_api.h"

#include <boost/json/serialize.hpp>

#include "api/common.h"
#include "cache/tenant_cache.h"
#include "content/content_queries.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::api {

namespace asio = boost::asio;
namespace q = content::queries;
using db::param;
using db::Params;
using http::Audience;
using http::Request;
using http::Response;

namespace {

// Cache-aside with a short TTL: a GET that races a PUT can cache the old value for at most this.
constexpr std::string_view kBrandKey = "brand";
constexpr std::chrono::seconds kBrandTtl{60};
}  // namespace

void add_tenant_routes(http::Router& router, db::Pool& pool, cache::TenantCache& cache) {
  router.add("GET", "/v1/tenant", Audience::kTenant,
             "The caller's tenant, its effective limits and today's usage",
             [&pool](Request& req) -> asio::awaitable<Response> {
               const auto& t = caller(req);
               auto tx = co_await tenancy::TenantTx::begin(pool, t);
               auto r = co_await tx.commit_with(q::kCountContentToday);
               auto body = tenant_json(t);
               body["limits"] = limits_json(t.effective_limits());
               boost::json::object usage;
               usage["content_created_today"] = r.get_int(0, 0);
               body["usage"] = std::move(usage);
               co_return http::json_response(200, body);
             });

  router.add("GET", "/v1/brand", Audience::kTenant, "The tenant's brand configuration",
             [&pool, &cache](Request& req) -> asio::awaitable<Response> {
               const auto& t = caller(req);
               auto hit = co_await cache.get(t.id, kBrandKey);
               if (hit) co_return Response::json(200, std::move(*hit));
               auto tx = co_await tenancy::TenantTx::begin(pool, t);
               auto r = co_await tx.commit_with(q::kGetBrand);
               if (r.empty()) throw http::NotFound("no brand configuration yet; PUT /v1/brand");
               std::string body(r.get(0, 0));
               co_await cache.set(t.id, kBrandKey, body, kBrandTtl);
               co_return Response::json(200, std::move(body));
             });

  router.add("PUT", "/v1/brand", Audience::kTenant, "Replace the tenant's brand configuration",
             [&pool, &cache](Request& req) -> asio::awaitable<Response> {
               auto body = http::parse_json_object(req);
               http::require_known_fields(body, {"voice_tone", "topics", "visual_style",
                                                 "seo_strategy", "publishing_config"});
               auto* voice = http::object_field(body, "voice_tone");
               auto* topics = http::array_field(body, "topics");
               if (!voice) throw http::BadRequest("field 'voice_tone' is required");
               if (!topics) throw http::BadRequest("field 'topics' is required");
               Params p{json_param(voice), json_param(topics),
                        json_param(http::object_field(body, "visual_style", true)),
                        json_param(http::object_field(body, "seo_strategy", true)),
                        json_param(http::object_field(body, "publishing_config", true))};
               const auto& t = caller(req);
               auto tx = co_await tenancy::TenantTx::begin(pool, t);
               auto r = co_await tx.commit_with(q::kPutBrand, std::move(p));
               co_await cache.del(t.id, kBrandKey);
               co_return Response::json(200, std::string(r.get(0, 0)));
             });
}

}  // namespace autoblog::api
