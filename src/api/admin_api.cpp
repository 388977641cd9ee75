// Platform operator routes: request JSON → tenancy::TenantService inputs → responses. Each
// route's definition (fields, types, limits) is enforced before its handler runs; the rules
// beyond a schema (name text, hostnames, uniqueness) are the service's, shared with the CLI.
#include "api/admin_api.h"

#include <boost/json/serialize.hpp>

#include "api/common.h"
#include "api/definitions.h"
#include "auth/jwt.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"
#include "tenancy/tenant_service.h"
#include "util/time.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;
namespace s = http::schema;

namespace {

// "domain": a string, or null (= none / clear it); absent = nullopt.
std::optional<std::optional<std::string>> domain_field(const boost::json::object& body) {
  auto* d = body.if_contains("domain");
  if (!d) return std::nullopt;
  if (d->is_null()) return std::optional<std::string>();
  return http::string_field(body, "domain");
}

// The request schemas (checked before the handlers run).
boost::json::value domain_schema() {
  return s::with_description(s::nullable(s::string(1, 255)),
                             "A hostname, stored in canonical form; null for none");
}
boost::json::value tier_schema() { return s::string_enum({"starter", "growth", "enterprise"}); }

}  // namespace

const boost::json::value& tenant_create_schema() {
  static const boost::json::value schema = s::object(
      {{"name", s::string(1, 255)}, {"domain", domain_schema()}, {"subscription_tier", tier_schema()}},
      {"name"});
  return schema;
}

const boost::json::value& tenant_update_schema() {
  static const boost::json::value schema =
      s::object({{"name", s::string(1, 255)},
                 {"domain", domain_schema()},
                 {"subscription_tier", tier_schema()},
                 {"status", s::string_enum({"active", "suspended"})},
                 {"limits", defs::components().at("LimitOverrides")}});
  return schema;
}

namespace {

tenancy::TenantSpec tenant_spec(const boost::json::object& body) {
  tenancy::TenantSpec spec;
  spec.name = http::string_field(body, "name").value();
  if (auto d = domain_field(body)) spec.domain = *d;
  spec.tier = http::string_field(body, "subscription_tier");
  return spec;
}

tenancy::TenantChanges tenant_changes(const boost::json::object& body) {
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

  const auto tenant_id = defs::uuid_path("id", "The tenant's id");
  const auto tenant_schema = s::ref("Tenant");

  router.add({.method = "POST",
              .path = "/v1/admin/tenants",
              .audience = Audience::kAdmin,
              .operation_id = "createTenant",
              .tag = "admin",
              .summary = "Create a tenant (registry row, schema and migrations in one transaction)",
              .body = http::BodySpec{.schema = tenant_create_schema()},
              .responses = {defs::created("The new tenant", tenant_schema),
                            defs::error(409, "conflict: the domain belongs to another tenant")}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto spec = tenant_spec(http::json_body(req));
               auto tenant = co_await service.create(spec);
               auto res = http::json_response(201, admin_tenant_json(tenant));
               with_location(res, "/v1/admin/tenants/" + tenant.id);
               co_return res;
             });

  router.add({.method = "GET",
              .path = "/v1/admin/tenants",
              .audience = Audience::kAdmin,
              .operation_id = "listTenants",
              .tag = "admin",
              .summary = "List tenants",
              .params = {defs::limit_query(), defs::cursor_query()},
              .responses = {defs::response(200, "A page of tenants", defs::page_of(tenant_schema))}},
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

  router.add({.method = "GET",
              .path = "/v1/admin/tenants/{id}",
              .audience = Audience::kAdmin,
              .operation_id = "getTenant",
              .tag = "admin",
              .summary = "Get a tenant",
              .params = {tenant_id},
              .responses = {defs::response(200, "The tenant", tenant_schema)}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto tenant = co_await service.get(uuid_param(req, "id"));
               co_return http::json_response(200, admin_tenant_json(tenant));
             });

  router.add({.method = "PATCH",
              .path = "/v1/admin/tenants/{id}",
              .audience = Audience::kAdmin,
              .operation_id = "updateTenant",
              .tag = "admin",
              .summary = "Change a tenant's name, domain, tier, status or limits",
              .params = {tenant_id},
              .body = http::BodySpec{.schema = tenant_update_schema()},
              .responses = {defs::response(200, "The changed tenant", tenant_schema),
                            defs::error(409, "conflict: the domain belongs to another tenant")}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto changes = tenant_changes(http::json_body(req));
               auto tenant = co_await service.update(id, changes);
               co_return http::json_response(200, admin_tenant_json(tenant));
             });

  router.add({.method = "DELETE",
              .path = "/v1/admin/tenants/{id}",
              .audience = Audience::kAdmin,
              .operation_id = "deleteTenant",
              .tag = "admin",
              .summary = "Delete a tenant",
              .description = "Drops its schema, purges its storage and cache and revokes its "
                             "tokens; a retry after a failed purge finishes it.",
              .params = {tenant_id},
              .responses = {defs::no_content("Deleted")}},
             [service](Request& req) -> asio::awaitable<Response> {
               co_await service.remove(uuid_param(req, "id"));
               co_return Response::no_content();
             });

  router.add({.method = "POST",
              .path = "/v1/admin/tenants/{id}/tokens",
              .audience = Audience::kAdmin,
              .operation_id = "issueTenantToken",
              .tag = "admin",
              .summary = "Issue a tenant JWT (HS256)",
              .params = {tenant_id},
              .body = http::BodySpec{.schema = s::object({{"ttl_seconds",
                                                           s::with_description(
                                                               s::integer(1, 2592000),
                                                               "Lifetime; default 3600")}}),
                                     .required = false},
              .responses = {defs::created("The token (shown only once)", s::ref("IssuedToken"))}},
             [service, &jwt](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               const auto& body = http::json_body(req);
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

  router.add({.method = "GET",
              .path = "/v1/admin/tenants/{id}/tokens",
              .audience = Audience::kAdmin,
              .operation_id = "listTenantTokens",
              .tag = "admin",
              .summary = "List a tenant's issued tokens (jti and times, never the token)",
              .params = {tenant_id, defs::limit_query(), defs::cursor_query()},
              .responses = {defs::response(200, "A page of tokens", defs::page_of(s::ref("TokenInfo")))}},
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

  router.add({.method = "DELETE",
              .path = "/v1/admin/tenants/{id}/tokens/{jti}",
              .audience = Audience::kAdmin,
              .operation_id = "revokeTenantToken",
              .tag = "admin",
              .summary = "Revoke one token (refused by every API node within about a second)",
              .params = {tenant_id,
                         {"jti", http::ParamSpec::In::kPath, true, s::string(1),
                          "The token's jti claim (a UUID; any other value is not found)"}},
              .responses = {defs::no_content("Revoked")}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               std::string jti(req.param("jti"));
               co_await service.revoke_token(id, jti);
               co_return Response::no_content();
             });
}

}  // namespace autoblog::api
