#include "api/tenant_health_api.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "api/common.h"
#include "api/deadline.h"
#include "cache/tenant_cache.h"
#include "content/content_queries.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "storage/object_storage.h"
#include "tenancy/tenant_tx.h"
#include "util/random.h"
#include "util/time.h"

namespace autoblog::api {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using http::Audience;
using http::Request;
using http::Response;

namespace {

constexpr db::TenantQuery kProbeTables{
    "health_probe_tables",
    "SELECT count(*) FROM (SELECT 1 FROM content_pipelines LIMIT 1) "
    "c"};

using TenantPtr = std::shared_ptr<const tenancy::ActiveTenant>;

asio::awaitable<bool> check_database(db::Pool& pool, TenantPtr t) {
  auto tx = co_await tenancy::TenantTx::begin(pool, *t);
  co_await tx.commit_with(kProbeTables);
  co_return true;
}

asio::awaitable<bool> check_cache(cache::TenantCache& cache, TenantPtr t) {
  auto key = "health-probe-" + util::random_hex(6);
  auto value = util::random_hex(8);
  co_await cache.set(t->id(), key, value, std::chrono::seconds(30));
  auto got = co_await cache.get(t->id(), key);
  co_await cache.del(t->id(), key);
  co_return got && *got == value;
}

asio::awaitable<bool> check_storage(storage::ObjectStorage& storage, TenantPtr t) {
  auto key = "_autoblog-health/probe-" + util::random_hex(6);
  auto value = util::random_hex(16);
  co_await storage.put(t->id(), key, value, "text/plain");
  auto got = co_await storage.get(t->id(), key);
  bool removed = co_await storage.remove(t->id(), key);
  co_return got && got->body == value && removed;
}

// AI quota: content still allowed today (unlimited tiers always pass).
asio::awaitable<bool> check_ai_quota(db::Pool& pool, TenantPtr t) {
  auto max = t->limits().max_daily_content;
  if (max < 0) co_return true;
  auto tx = co_await tenancy::TenantTx::begin(pool, *t);
  auto r = co_await tx.commit_with(content::queries::kCountContentToday);
  co_return r.get_int(0, 0) < max;
}

std::string now_rfc3339() {
  return util::format_rfc3339(std::chrono::system_clock::now());
}

}  // namespace

void add_tenant_health_route(http::Router& router, db::Pool& pool, cache::TenantCache& cache,
                             storage::ObjectStorage& storage,
                             std::chrono::milliseconds deadline) {
  router.add(
      "GET", "/health/tenant/{id}", Audience::kTenant,
      "The caller's tenant health: database, cache, storage, AI quota",
      [&pool, &cache, &storage, deadline](Request& req) -> asio::awaitable<Response> {
        const auto& t = caller(req);
        if (uuid_param(req, "id") != t.id) throw http::NotFound("tenant not found");
        TenantPtr snapshot = req.tenant;
        auto [database, cache_ok, storage_ok, quota] =
            co_await (within(check_database(pool, snapshot), deadline) &&
                      within(check_cache(cache, snapshot), deadline) &&
                      within(check_storage(storage, snapshot), deadline) &&
                      within(check_ai_quota(pool, snapshot), deadline));
        bool healthy = database && cache_ok && storage_ok && quota;
        boost::json::object checks{{"database", database},
                                   {"cache", cache_ok},
                                   {"storage", storage_ok},
                                   {"ai_quota", quota}};
        boost::json::object body{{"tenant_id", t.id},
                                 {"status", healthy ? "healthy" : "degraded"},
                                 {"checks", std::move(checks)},
                                 {"timestamp", now_rfc3339()}};
        co_return http::json_response(200, body);
      });
}

}  // namespace autoblog::api
