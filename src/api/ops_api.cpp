#include "api/ops_api.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/serialize.hpp>

#include "api/deadline.h"
#include "api/definitions.h"
#include "api/openapi.h"
#include "cache/tenant_cache.h"
#include "db/pool.h"
#include "db/transaction.h"
#include "http/operation.h"
#include "http/schema.h"
#include "observability/metrics.h"
#include "redis/client.h"
#include "storage/object_storage.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;
namespace s = http::schema;

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

}  // namespace

void add_metrics_route(http::Router& router, db::Pool& pool, observability::Metrics& metrics,
                       const redis::Client* redis) {
  router.add({.method = "GET",
              .path = "/metrics",
              .audience = Audience::kPublic,
              .operation_id = "getMetrics",
              .tag = "ops",
              .summary = "Prometheus metrics (text format)",
              .responses =
                  {{200, "Metrics in the Prometheus text format", "text/plain", s::string(), {}}}},
             [&pool, &metrics, redis](Request&) -> asio::awaitable<Response> {
               auto s = pool.stats();
               metrics.set_db_pool(static_cast<std::size_t>(s.open),
                                   static_cast<std::size_t>(s.in_use),
                                   static_cast<std::size_t>(s.waiting));
               if (const auto* shared = pool.shared_reads()) {
                 auto sr = shared->stats();
                 metrics.set_db_shared_reads(sr.statements, sr.writes, sr.connections);
               }
               if (redis) {
                 auto rs = redis->stats();
                 metrics.set_redis_client(rs.commands_total, rs.writes_total);
               }
               Response r;
               r.content_type = "text/plain; version=0.0.4; charset=utf-8";
               r.body = metrics.render();
               co_return r;
             });
}

void add_ops_routes(http::Router& router, db::Pool& pool, observability::Metrics& metrics,
                    cache::TenantCache& cache, storage::ObjectStorage& storage,
                    const redis::Client* redis, bool with_metrics) {
  router.add({.method = "GET",
              .path = "/health",
              .audience = Audience::kPublic,
              .operation_id = "getHealth",
              .tag = "ops",
              .summary = "Liveness: the process answers",
              .responses = {defs::response(200, "Alive",
                                       s::object({{"status", s::string_enum({"ok"})}},
                                                 {"status"}))}},
             [](Request&) -> asio::awaitable<Response> {
               co_return Response::json(200, R"({"status":"ok"})");
             });

  auto check = s::string_enum({"ok", "fail"});
  auto readiness = s::object(
      {{"status", s::string_enum({"ok", "unavailable"})},
       {"checks", s::object({{"database", check}, {"cache", check}, {"storage", check}},
                            {"database", "cache", "storage"})}},
      {"status", "checks"});
  router.add({.method = "GET",
              .path = "/health/ready",
              .audience = Audience::kPublic,
              .operation_id = "getReadiness",
              .tag = "ops",
              .summary = "Readiness: each dependency ok or fail (no hosts, no error text)",
              .responses = {defs::response(200, "Every dependency answers", readiness),
                            defs::response(
                                503, "A dependency failed its check (or the server is shutting down)",
                                boost::json::object{
                                    {"oneOf", {readiness, s::ref("Error")}}})}},
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

  if (with_metrics) add_metrics_route(router, pool, metrics, redis);

  router.add({.method = "GET",
              .path = "/openapi.json",
              .audience = Audience::kPublic,
              .operation_id = "getOpenApiDocument",
              .tag = "ops",
              .summary = "This API's OpenAPI 3 document",
              .responses = {defs::response(200, "The document", s::any_object())}},
             [&router](Request&) -> asio::awaitable<Response> {
               // Routes are fixed once serving starts, so build the document once.
               static const std::string doc = openapi_document(router);
               co_return Response::json(200, doc);
             });
}

}  // namespace autoblog::api
