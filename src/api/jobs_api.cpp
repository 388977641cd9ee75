#include "api/jobs_api.h"

#include "api/common.h"
#include "api/definitions.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"
#include "jobs/discovery_service.h"
#include "jobs/generation_service.h"
#include "jobs/job_service.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;
namespace s = http::schema;

boost::json::object usage_json(const tenancy::ActiveTenant& t, const jobs::UsageToday& u) {
  boost::json::object content;
  content["used"] = u.content_used;
  if (u.content_limit < 0)
    content["limit"] = nullptr;
  else
    content["limit"] = u.content_limit;
  content["resets_at"] = u.resets_at;
  boost::json::object generations;
  generations["running"] = u.generations_running;
  generations["limit"] = u.generations_limit;
  boost::json::object out;
  out["requests_per_hour"] = t.limits().requests_per_hour;
  out["content_today"] = std::move(content);
  out["concurrent_generations"] = std::move(generations);
  boost::json::object tokens;
  tokens["used"] = u.ai_tokens_used;
  if (u.ai_token_budget < 0)
    tokens["limit"] = nullptr;
  else
    tokens["limit"] = u.ai_token_budget;
  tokens["resets_at"] = u.resets_at;
  out["ai_tokens_today"] = std::move(tokens);
  boost::json::object images;
  images["used"] = u.images_used;
  images["resets_at"] = u.resets_at;
  out["images_today"] = std::move(images);
  return out;
}

void add_job_routes(http::Router& router, db::Pool& pool) {
  jobs::GenerationService generation(pool);
  jobs::DiscoveryService discovery(pool);
  jobs::JobService service(pool);
  const auto job_schema = s::ref("Job");
  const auto job_id = defs::uuid_path("id", "The job's id");

  router.add(
      {.method = "POST",
       .path = "/v1/content/{id}/generate",
       .audience = Audience::kTenant,
       .operation_id = "generateContent",
       .tag = "content",
       .summary = "Queue the generation of an article for a content item",
       .description = "Moves the item to generating, reserves one unit of today's "
                      "max_daily_content and queues a generate_content job, all at once. Past "
                      "the daily limit: 429 quota_exceeded with Retry-After until midnight UTC. "
                      "A generation that ends dead or is cancelled gives the unit back.",
       .params = {defs::uuid_path("id", "The content item's id")},
       .responses = {defs::response(202, "The queued job",
                                    s::object({{"job", job_schema}}, {"job"})),
                     defs::error(409, "conflict: the item cannot be generated from its status"),
                     defs::error(429, "quota_exceeded: today's content limit is used up")}},
      [generation](Request& req) -> asio::awaitable<Response> {
        auto job = co_await generation.request(active_caller(req), uuid_param(req, "id"));
        co_return job_accepted("{\"job\":" + job.json + "}", job.id);
      });

  router.add(
      {.method = "POST",
       .path = "/v1/trends/discover",
       .audience = Audience::kTenant,
       .operation_id = "discoverTrends",
       .tag = "content",
       .summary = "Queue trend discovery over the brand's feeds",
       .description = "Queues a discover_trends job (normal priority) that reads the feeds in "
                      "the brand's sources.feeds (RSS 2.0 or Atom), scores their entries against "
                      "the brand's topics and SEO keywords and creates inspiration items for the "
                      "best new ones, never twice for the same page or a near-identical title. "
                      "The job's result reports each feed: entries, created, duplicates, "
                      "skipped and, for a feed that could not be read, error {code, message}.",
       .responses = {defs::response(202, "The queued job",
                                    s::object({{"job", job_schema}}, {"job"})),
                     defs::error(409, "conflict: the brand lists no feeds")}},
      [discovery](Request& req) -> asio::awaitable<Response> {
        auto job = co_await discovery.request(active_caller(req));
        co_return job_accepted("{\"job\":" + job.json + "}", job.id);
      });

  router.add({.method = "GET",
              .path = "/v1/jobs/{id}",
              .audience = Audience::kTenant,
              .operation_id = "getJob",
              .tag = "jobs",
              .summary = "Get a job",
              .params = {job_id},
              .responses = {defs::response(200, "The job", job_schema)}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto json = co_await service.get(active_caller(req), uuid_param(req, "id"));
               co_return Response::json(200, std::move(json));
             });

  router.add({.method = "GET",
              .path = "/v1/jobs",
              .audience = Audience::kTenant,
              .operation_id = "listJobs",
              .tag = "jobs",
              .summary = "List the tenant's jobs, newest first",
              .params = {{"state", http::ParamSpec::In::kQuery, false,
                          s::string_enum(jobs::kJobStates), "Only jobs in this state"},
                         {"kind", http::ParamSpec::In::kQuery, false,
                          s::string_enum(jobs::kJobKinds), "Only jobs of this kind"},
                         defs::limit_query(),
                         defs::cursor_query()},
              .responses = {defs::response(200, "A page of jobs", defs::page_of(job_schema))}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto page = page_request(req);
               std::optional<std::string> state, kind;
               if (auto v = req.query_param("state")) state = std::string(*v);
               if (auto v = req.query_param("kind")) kind = std::string(*v);
               auto result = co_await service.list(active_caller(req), state, kind, page);
               co_return page_response(result);
             });

  router.add({.method = "DELETE",
              .path = "/v1/jobs/{id}",
              .audience = Audience::kTenant,
              .operation_id = "cancelJob",
              .tag = "jobs",
              .summary = "Cancel a queued job",
              .description = "Only a queued job can be cancelled (409 once it runs or has "
                             "finished). A cancelled generation puts its item back where it "
                             "was and gives its daily unit back.",
              .params = {job_id},
              .responses = {defs::response(200, "The cancelled job", job_schema),
                            defs::error(409, "conflict: the job is running or finished")}},
             [service](Request& req) -> asio::awaitable<Response> {
               auto json = co_await service.cancel(active_caller(req), uuid_param(req, "id"));
               co_return Response::json(200, std::move(json));
             });

  router.add({.method = "GET",
              .path = "/v1/usage",
              .audience = Audience::kTenant,
              .operation_id = "getUsage",
              .tag = "tenant",
              .summary = "Today's usage against the tenant's limits",
              .responses = {defs::response(200, "Usage", s::ref("Usage"))}},
             [service](Request& req) -> asio::awaitable<Response> {
               const auto& t = active_caller(req);
               auto u = co_await service.usage(t);
               co_return http::json_response(200, usage_json(t, u));
             });

  router.add(
      {.method = "GET",
       .path = "/v1/admin/queue",
       .audience = Audience::kAdmin,
       .operation_id = "getQueue",
       .tag = "admin",
       .summary = "The job queue: depth by priority and state, oldest runnable age, running "
                  "jobs per tenant",
       .responses = {defs::response(
           200, "The queue",
           s::open_object({{"depth", s::any_object()},
                           {"oldest_runnable_age_seconds", boost::json::object{{"type", "number"}}},
                           {"running_per_tenant", boost::json::object{{"type", "array"}}}},
                          {"depth", "oldest_runnable_age_seconds", "running_per_tenant"}))}},
      [service](Request&) -> asio::awaitable<Response> {
        auto overview = co_await service.queue_overview();
        co_return http::json_response(200, overview);
      });
}

}  // namespace autoblog::api
