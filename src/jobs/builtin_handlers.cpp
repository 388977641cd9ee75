#include "jobs/builtin_handlers.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "jobs/deliver_publication_handler.h"
#include "jobs/discover_trends_handler.h"
#include "jobs/errors.h"
#include "jobs/generate_content_handler.h"
#include "jobs/publish_content_handler.h"
#include "util/random.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
using db::param;

namespace {

inline constexpr db::TenantQuery kRecordEffect{
    "noop_record_effect",
    "INSERT INTO {schema}.content_pipelines (status, inspiration_data) "
    "VALUES ('inspiration', jsonb_build_object('job_effect', $1::text, 'job_id', $2::text))"};
inline constexpr db::TenantQuery kItemExists{
    "noop_item_exists", "SELECT 1 FROM {schema}.content_pipelines WHERE id = $1::uuid"};

boost::json::object payload_of(const ClaimedJob& job) {
  boost::system::error_code ec;
  auto v = boost::json::parse(job.payload_json, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

std::int64_t int_field(const boost::json::object& o, const char* key) {
  if (auto* v = o.if_contains(key); v && v->is_int64()) return v->as_int64();
  return 0;
}

class NoopHandler : public JobHandler {
 public:
  asio::awaitable<std::string> run(JobContext& ctx) override {
    const auto& job = ctx.job();
    auto p = payload_of(job);
    if (auto ms = int_field(p, "sleep_ms"); ms > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
      co_await t.async_wait(asio::use_awaitable);
    }
    if (job.claim <= int_field(p, "snooze_times"))
      throw Snooze(std::chrono::milliseconds(int_field(p, "snooze_ms")), "snoozed as asked");
    if (auto* perm = p.if_contains("permanent"); perm && perm->is_bool() && perm->as_bool())
      throw PermanentFailure("failing permanently as asked");
    if (job.attempts <= int_field(p, "fail_times"))
      throw std::runtime_error("failing attempt " + std::to_string(job.attempts) + " as asked");
    boost::json::object result;
    result["attempts"] = job.attempts;
    if (auto* item = p.if_contains("read_item"); item && item->is_string()) {
      std::string id(item->as_string());
      if (!util::is_uuid(id)) throw PermanentFailure("read_item must be a UUID");
      auto tx = co_await ctx.begin();
      db::Params params{param(id)};
      auto r = co_await tx.commit_with(kItemExists, std::move(params));
      result["found"] = !r.empty();
    }
    if (auto* effect = p.if_contains("effect"); effect && effect->is_string()) {
      auto tx = co_await ctx.begin();
      db::Params params{param(std::string(effect->as_string())), param(job.id)};
      co_await tx.exec(kRecordEffect, std::move(params));
      co_await ctx.complete(tx, boost::json::serialize(result));
    }
    co_return boost::json::serialize(result);
  }
};

}  // namespace

HandlerRegistry builtin_handlers(content::engine::ContentEngine& engine,
                                 observability::Metrics& metrics, net::HttpClient& http,
                                 const content::trends::FeedLimits& feed_limits,
                                 storage::ObjectStorage& storage,
                                 std::chrono::milliseconds publish_timeout) {
  HandlerRegistry r;
  r.add(std::string(kNoop), std::make_shared<NoopHandler>());
  r.add(std::string(kGenerateContent), std::make_shared<GenerateContentHandler>(engine, metrics));
  r.add(std::string(kPublishContent), std::make_shared<PublishContentHandler>());
  r.add(std::string(kDiscoverTrends), std::make_shared<DiscoverTrendsHandler>(http, feed_limits));
  r.add(std::string(kDeliverPublication),
        std::make_shared<DeliverPublicationHandler>(http, storage, publish_timeout));
  return r;
}

}  // namespace autoblog::jobs
