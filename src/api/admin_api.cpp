// Platform operator routes: request JSON → tenancy::TenantService inputs → responses. The
// validation rules and errors are the service's (shared with the CLI); JSON shape checks
// (known fields, value types) are this file's.
#include "api/admin_api.h"

#include <boost/json/serialize.hpp>

#include "api/common.h"
#include "auth/jwt.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "tenancy/tenant_service.h"
#include "util/time.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;

namespace {

// "domain": a string, or null (= none / clear it); absent = nullopt.
std::optional<std::optional<std::string>> domain_field(const boost::json::object& body) {
  auto* d = body.if_contains("domain");
  if (!d) return std::nullopt;
  if (d->is_null()) return std::optional<std::string>();
  if (!d->is_string()) throw http::BadRequest("field 'domain' must be a string or null");
  return std::optional<std::string>(std::string(d->as_string()));
}

tenancy::TenantSpec tenant_spec(const boost::json::object& body) {
  http::require_known_fields(body, {"name", "domain", "subscription_tier"});
  tenancy::TenantSpec spec;
  auto name = http::string_field(body, "name");
  if (!name) throw http::BadRequest("field 'name' is required");
  spec.name = *name;
  if (auto d = domain_field(body)) spec.domain = *d;
  spec.tier = http::string_field(body, "subscription_tier");
  return spec;
}

tenancy::TenantChanges tenant_changes(const boost::json::object& body) {
  http::require_known_fields(body, {"name", "domain", "subscription_tier", "status", "limits"});
  tenancy::TenantChanges c;
  c.name = http::string_field(body, "name");
  c.domain = domain_field(body);
  c.tier = http::string_field(body, "subscription_tier");
  c.status = http::string_field(body, "status");
  if (auto* limits = http::object_field(body, "limits")) c.limits = limits->as_object();
  return c;
}

}  // namespace

void add_admin_routes(http::Router& router, tenancy::TenantRegistry& registry,
                      const auth::JwtCodec& jwt, storage::ObjectStorage& storage,
                      cache::TenantCache& cache) {
  tenancy::TenantService service(registry, storage, cache);  // references: routes keep copies

  router.add("POST", "/v1/admin/tenants", Audience::kAdmin,
             "Create a tenant (registry row, schema and migrations in one transaction)",
             [service](Request& req) -> asio::awaitable<Response> {
               auto spec = tenant_spec(http::parse_json_object(req));
               auto tenant = co_await service.create(spec);
               auto res = http::json_response(201, admin_tenant_json(tenant));
               with_location(res, "/v1/admin/tenants/" + tenant.id);
               co_return res;
             });

  router.add("GET", "/v1/admin/tenants", Audience::kAdmin, "List tenants",
             [service](Request& req) -> asio::awaitable<Response> {
               int limit = http::page_limit(req);
               std::optional<std::string> cursor;
               if (auto c = req.query_param("cursor")) cursor = std::string(*c);
               auto page = co_await service.list(limit, cursor);
               std::vector<std::string> items;
               for (const auto& t : page.items)
                 items.push_back(boost::json::serialize(admin_tenant_json(t)));
               co_return Response::json(200, list_body(items, page.next_cursor));
             });

  router.add("GET", "/v1/admin/tenants/{id}", Audience::kAdmin, "Get a tenant",
             [service](Request& req) -> asio::awaitable<Response> {
               auto tenant = co_await service.get(uuid_param(req, "id"));
               co_return http::json_response(200, admin_tenant_json(tenant));
             });

  router.add("PATCH", "/v1/admin/tenants/{id}", Audience::kAdmin,
             "Change a tenant's name, domain, tier, status or limits",
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto changes = tenant_changes(http::parse_json_object(req));
               auto tenant = co_await service.update(id, changes);
               co_return http::json_response(200, admin_tenant_json(tenant));
             });

  router.add("DELETE", "/v1/admin/tenants/{id}", Audience::kAdmin,
             "Delete a tenant: drops its schema, purges its storage and cache, revokes its "
             "tokens (a retry after a failed purge finishes it)",
             [service](Request& req) -> asio::awaitable<Response> {
               co_await service.remove(uuid_param(req, "id"));
               co_return Response::no_content();
             });

  router.add("POST", "/v1/admin/tenants/{id}/tokens", Audience::kAdmin,
             "Issue a tenant JWT (HS256)",
             [service, &jwt](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto body = http::parse_json_object(req, /*allow_empty=*/true);
               http::require_known_fields(body, {"ttl_seconds"});
               auto ttl = http::int_field(body, "ttl_seconds").value_or(3600);
               auto issued = co_await service.issue_token(jwt, id, ttl);
               boost::json::object out{{"token", issued.token},
                                       {"jti", issued.jti},
                                       {"expires_at", util::format_rfc3339_unix(issued.expires_at)}};
               // The token's record: DELETE there revokes it.
               auto res = http::json_response(201, out);
               with_location(res, "/v1/admin/tenants/" + id + "/tokens/" + issued.jti);
               co_return res;
             });

  router.add("GET", "/v1/admin/tenants/{id}/tokens", Audience::kAdmin,
             "List a tenant's issued tokens (jti and times, never the token)",
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               int limit = http::page_limit(req);
               std::optional<std::string> cursor;
               if (auto c = req.query_param("cursor")) cursor = std::string(*c);
               auto page = co_await service.list_tokens(id, limit, cursor);
               std::vector<std::string> items;
               for (const auto& t : page.items) {
                 boost::json::object o{{"jti", t.jti},
                                       {"issued_at", t.issued_at},
                                       {"expires_at", t.expires_at}};
                 if (t.revoked_at) o["revoked_at"] = *t.revoked_at;
                 else o["revoked_at"] = nullptr;
                 items.push_back(boost::json::serialize(o));
               }
               co_return Response::json(200, list_body(items, page.next_cursor));
             });

  router.add("DELETE", "/v1/admin/tenants/{id}/tokens/{jti}", Audience::kAdmin,
             "Revoke one token (refused by every API node within about a second)",
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               std::string jti(req.param("jti"));
               co_await service.revoke_token(id, jti);
               co_return Response::no_content();
             });
}

}  // namespace autoblog::api
