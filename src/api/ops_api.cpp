#include "api/ops_api.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/serialize.hpp>

#include "api/deadline.h"
#include "cache/tenant_cache.h"
#include "db/pool.h"
#include "storage/object_storage.h"
#include "db/transaction.h"
#include "observability/metrics.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;

namespace {
constexpr db::CoreQuery kPing{"ping", "SELECT 1"};
constexpr std::chrono::milliseconds kReadyDeadline{2000};

asio::awaitable<bool> ping_database(db::Pool& pool) {
  auto tx = co_await db::CoreTx::begin(pool);
  co_await tx.commit_with(kPing);
  co_return true;
}

// A listing under a tenant id no tenant can have: touches the backend only.
asio::awaitable<bool> probe_storage(storage::ObjectStorage& storage) {
  co_await storage.list("00000000-0000-0000-0000-000000000000", "", std::nullopt, 1);
  co_return true;
}

boost::json::object error_schema_ref() {
  return {{"description", "error"},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}
}  // namespace

std::string openapi_document(const http::Router& router) {
  boost::json::object paths;
  for (const auto& r : router.routes()) {
    boost::json::object op;
    op["summary"] = r.summary;
    op["operationId"] = r.method + " " + r.path_template;
    boost::json::array params;
    std::string_view t = r.path_template;
    for (std::size_t i = t.find('{'); i != std::string_view::npos; i = t.find('{', i + 1)) {
      auto end = t.find('}', i);
      std::string name(t.substr(i + 1, end - i - 1));
      if (!name.empty() && name.back() == '+') name.pop_back();
      params.push_back({{"name", name}, {"in", "path"}, {"required", true},
                        {"schema", {{"type", "string"}}}});
    }
    if (r.method == "GET" && (r.path_template.ends_with("tenants") ||
                              r.path_template.ends_with("content") ||
                              r.path_template.ends_with("performance") ||
                              r.path_template.ends_with("tokens"))) {
      params.push_back({{"name", "limit"}, {"in", "query"},
                        {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}}});
      params.push_back({{"name", "cursor"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    if (r.audience == Audience::kAdmin)
      op["security"] = boost::json::array{{{"adminToken", boost::json::array{}}}};
    else if (r.audience == Audience::kTenant)
      op["security"] = boost::json::array{{{"tenantJwt", boost::json::array{}}}};
    if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
      op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    op["responses"] = {{"2XX", {{"description", "success"}}},
                       {"4XX", error_schema_ref()},
                       {"5XX", error_schema_ref()}};
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& path_item = paths[r.path_template];
    if (!path_item.is_object()) path_item = boost::json::object{};
    path_item.as_object()[method] = std::move(op);
  }
  boost::json::object doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {{"title", "AutoBlog API"}, {"version", "1.0.0"}};
  doc["paths"] = std::move(paths);
  doc["components"] = {
      {"securitySchemes",
       {{"adminToken", {{"type", "http"}, {"scheme", "bearer"}}},
        {"tenantJwt", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}},
      {"schemas",
       {{"Error",
         {{"type", "object"},
          {"required", {"error"}},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"required", {"code", "message"}},
              {"properties",
               {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}};
  return boost::json::serialize(doc);
}

void add_metrics_route(http::Router& router, db::Pool& pool, observability::Metrics& metrics) {
  router.add("GET", "/metrics", Audience::kPublic, "Prometheus metrics (text format)",
             [&pool, &metrics](Request&) -> asio::awaitable<Response> {
               auto s = pool.stats();
               metrics.set_db_pool(static_cast<std::size_t>(s.open),
                                   static_cast<std::size_t>(s.in_use),
                                   static_cast<std::size_t>(s.waiting));
               Response r;
               r.content_type = "text/plain; version=0.0.4; charset=utf-8";
               r.body = metrics.render();
               co_return r;
             });
}

void add_ops_routes(http::Router& router, db::Pool& pool, observability::Metrics& metrics,
                    cache::TenantCache& cache, storage::ObjectStorage& storage,
                    bool with_metrics) {
  router.add("GET", "/health", Audience::kPublic, "Liveness",
             [](Request&) -> asio::awaitable<Response> {
               co_return Response::json(200, R"({"status":"ok"})");
             });

  router.add("GET", "/health/ready", Audience::kPublic,
             "Readiness: each dependency ok or fail (no hosts, no error text)",
             [&pool, &cache, &storage](Request&) -> asio::awaitable<Response> {
               using namespace asio::experimental::awaitable_operators;
               auto [db_ok, cache_ok, storage_ok] =
                   co_await (within(ping_database(pool), kReadyDeadline) &&
                             within(cache.ping(), kReadyDeadline) &&
                             within(probe_storage(storage), kReadyDeadline));
               bool ok = db_ok && cache_ok && storage_ok;
               auto word = [](bool b) { return b ? "ok" : "fail"; };
               boost::json::object checks{{"database", word(db_ok)},
                                          {"cache", word(cache_ok)},
                                          {"storage", word(storage_ok)}};
               boost::json::object body{{"status", ok ? "ok" : "unavailable"},
                                        {"checks", std::move(checks)}};
               co_return Response::json(ok ? 200 : 503, boost::json::serialize(body));
             });

  if (with_metrics) add_metrics_route(router, pool, metrics);

  router.add("GET", "/openapi.json", Audience::kPublic, "This API's OpenAPI 3 document",
             [&router](Request&) -> asio::awaitable<Response> {
               // Routes are fixed once serving starts, so build the document once.
               static const std::string doc = openapi_document(router);
               co_return Response::json(200, doc);
             });
}

}  // namespace autoblog::api
