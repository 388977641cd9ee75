#include "api/admin_api.h"

#include "api/common.h"
#include "api/tenant_admin.h"
#include "auth/jwt.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "tenancy/registry.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;

void add_admin_routes(http::Router& router, tenancy::TenantRegistry& registry,
                      const auth::JwtCodec& jwt, storage::ObjectStorage& storage,
                      cache::TenantCache& cache) {
  router.add("POST", "/v1/admin/tenants", Audience::kAdmin,
             "Create a tenant (registry row, schema and migrations in one transaction)",
             [&registry](Request& req) -> asio::awaitable<Response> {
               auto spec = parse_new_tenant(http::parse_json_object(req));
               auto tenant = co_await registry.create(spec);
               co_return http::json_response(201, tenant_json(tenant));
             });

  router.add("GET", "/v1/admin/tenants", Audience::kAdmin, "List tenants",
             [&registry](Request& req) -> asio::awaitable<Response> {
               int limit = http::page_limit(req);
               std::optional<std::string> cursor;
               if (auto c = req.query_param("cursor")) cursor = std::string(*c);
               tenancy::TenantPage page;
               try {
                 page = co_await registry.list(limit, cursor);
               } catch (const std::invalid_argument&) {
                 throw http::BadRequest("cursor is malformed");
               }
               std::vector<std::string> items;
               for (const auto& t : page.items)
                 items.push_back(boost::json::serialize(tenant_json(t)));
               co_return Response::json(200, list_body(items, page.next_cursor));
             });

  router.add("GET", "/v1/admin/tenants/{id}", Audience::kAdmin, "Get a tenant",
             [&registry](Request& req) -> asio::awaitable<Response> {
               auto tenant = co_await registry.get(uuid_param(req, "id"));
               if (!tenant) throw http::NotFound("tenant not found");
               co_return http::json_response(200, tenant_json(*tenant));
             });

  router.add("PATCH", "/v1/admin/tenants/{id}", Audience::kAdmin,
             "Change a tenant's name, domain, tier, status or limits",
             [&registry](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto patch = parse_tenant_patch(http::parse_json_object(req));
               auto tenant = co_await registry.update(id, patch);
               if (!tenant) throw http::NotFound("tenant not found");
               co_return http::json_response(200, tenant_json(*tenant));
             });

  router.add("DELETE", "/v1/admin/tenants/{id}", Audience::kAdmin,
             "Delete a tenant: drops its schema, purges its storage and cache, revokes its tokens",
             [&registry, &storage, &cache](Request& req) -> asio::awaitable<Response> {
               bool removed =
                   co_await delete_tenant(registry, storage, cache, uuid_param(req, "id"));
               if (!removed) throw http::NotFound("tenant not found");
               co_return Response::no_content();
             });

  router.add("POST", "/v1/admin/tenants/{id}/tokens", Audience::kAdmin,
             "Issue a tenant JWT (HS256)",
             [&registry, &jwt](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto body = http::parse_json_object(req, /*allow_empty=*/true);
               http::require_known_fields(body, {"ttl_seconds"});
               auto ttl = http::int_field(body, "ttl_seconds").value_or(3600);
               auto tenant = co_await registry.get(id);
               if (!tenant) throw http::NotFound("tenant not found");
               auto out = co_await issue_token(registry, jwt, *tenant, ttl);
               co_return http::json_response(201, out);
             });
}

}  // namespace autoblog::api
