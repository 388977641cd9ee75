#include "api/tenant_health_api.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include "api/common.h"
#include "api/deadline.h"
#include "api/definitions.h"
#include "cache/tenant_cache.h"
#include "content/content_queries.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"
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
    "SELECT count(*) FROM (SELECT 1 FROM {schema}.content_pipelines LIMIT 1) c"};

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

// The last result per tenant, served for `ttl`: a probe costs at most one real check (two
// transactions, a cache round trip and a storage write) per tenant per interval. While one
// request re-checks an expired entry, concurrent ones get the previous result; only a tenant's
// very first probes, when concurrent, each run the check. Bounded: expired entries are dropped
// when the map grows past kMaxEntries. Thread-safe (one mutex); shared by the route's copies.
class ResultCache {
 public:
  explicit ResultCache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  enum class Claim { kFresh, kStale, kCheck };
  // kFresh/kStale fill `body`; kCheck: the caller checks and then calls store() or release().
  Claim claim(const std::string& tenant_id, std::string& body) {
    if (ttl_.count() == 0) return Claim::kCheck;
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(tenant_id);
    if (it == entries_.end()) return Claim::kCheck;
    if (it->second.expires > now) {
      body = it->second.body;
      return Claim::kFresh;
    }
    if (it->second.checking) {
      body = it->second.body;
      return Claim::kStale;
    }
    it->second.checking = true;
    return Claim::kCheck;
  }
  void store(const std::string& tenant_id, std::string body) {
    if (ttl_.count() == 0) return;
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries)
      std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires <= now; });
    entries_[tenant_id] = Entry{std::move(body), now + ttl_, false};
  }
  void release(const std::string& tenant_id) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(tenant_id); it != entries_.end()) it->second.checking = false;
  }

 private:
  static constexpr std::size_t kMaxEntries = 100000;
  struct Entry {
    std::string body;
    std::chrono::steady_clock::time_point expires;
    bool checking = false;
  };
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

asio::awaitable<std::string> run_checks(db::Pool& pool, cache::TenantCache& cache,
                                        storage::ObjectStorage& storage, TenantPtr snapshot,
                                        std::chrono::milliseconds deadline) {
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
  boost::json::object body{{"tenant_id", snapshot->id()},
                           {"status", healthy ? "healthy" : "degraded"},
                           {"checks", std::move(checks)},
                           {"timestamp", now_rfc3339()}};
  co_return boost::json::serialize(body);
}

}  // namespace

void add_tenant_health_route(http::Router& router, db::Pool& pool, cache::TenantCache& cache,
                             storage::ObjectStorage& storage,
                             std::chrono::milliseconds deadline,
                             std::chrono::milliseconds cache_for) {
  auto results = std::make_shared<ResultCache>(cache_for);  // shared by the route's copies
  namespace s = http::schema;
  auto check = s::boolean();
  router.add(
      {.method = "GET",
       .path = "/health/tenant/{id}",
       .audience = Audience::kTenant,
       .operation_id = "getTenantHealth",
       .tag = "tenant",
       .summary = "The caller's tenant health: database, cache, storage, AI quota",
       .description = "Only the caller's own tenant id is found; results are cached briefly. "
                      "Not rate limited.",
       .params = {defs::uuid_path("id", "The caller's tenant id")},
       .responses = {defs::response(
           200, "Each check passed (true) or not",
           s::open_object({{"tenant_id", s::uuid()},
                           {"status", s::string_enum({"healthy", "degraded"})},
                           {"checks", s::open_object({{"database", check},
                                                      {"cache", check},
                                                      {"storage", check},
                                                      {"ai_quota", check}},
                                                     {"database", "cache", "storage",
                                                      "ai_quota"})},
                           {"timestamp", s::date_time()}},
                          {"tenant_id", "status", "checks", "timestamp"}))}},
      [&pool, &cache, &storage, deadline, results](Request& req) -> asio::awaitable<Response> {
        const auto& t = caller(req);
        if (uuid_param(req, "id") != t.id) throw http::NotFound("tenant not found");
        std::string body;
        auto claim = results->claim(t.id, body);
        if (claim != ResultCache::Claim::kCheck) co_return Response::json(200, std::move(body));
        TenantPtr snapshot = req.tenant;
        std::exception_ptr failure;
        try {
          body = co_await run_checks(pool, cache, storage, snapshot, deadline);
        } catch (...) {
          failure = std::current_exception();
        }
        if (failure) {
          results->release(t.id);
          std::rethrow_exception(failure);
        }
        results->store(t.id, body);
        co_return Response::json(200, std::move(body));
      });
}

}  // namespace autoblog::api
