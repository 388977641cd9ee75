#include "app/serve.h"

#include <boost/asio/co_spawn.hpp>
#include <iostream>
#include <optional>

#include "api/admin_api.h"
#include "api/authenticator.h"
#include "api/error_mapping.h"
#include "api/files_api.h"
#include "api/jobs_api.h"
#include "api/performance_api.h"
#include "api/ops_api.h"
#include "api/publishing_api.h"
#include "api/tenant_api.h"
#include "api/tenant_health_api.h"
#include "api/usage_reporter.h"
#include "app/backends.h"
#include "app/job_workers.h"
#include "app/listeners.h"
#include "app/runtime.h"
#include "app/scheduler_task.h"
#include "app/secrets.h"
#include "http/access_log.h"
#include "hosted/hosted_blog.h"
#include "http/error_mapping.h"
#include "http/server.h"
#include "observability/log.h"
#include "ratelimit/rate_limit_middleware.h"
#include "tenancy/change_listener.h"
#include "tenancy/registry.h"

namespace autoblog::app {

namespace asio = boost::asio;
using observability::log_info;

namespace {

boost::json::array addresses_json(const std::vector<std::string>& addresses) {
  boost::json::array out;
  for (const auto& a : addresses) out.emplace_back(a);
  return out;
}

}  // namespace

int serve(const Config& config) {
  // Before anything starts (the database, generated secrets): a port in use is one line.
  Listeners::check_available(config.listen_addresses, config.listen_port);
  if (config.metrics_listen)
    Listeners::check_available(config.metrics_addresses, config.metrics_port);

  auto secrets = load_or_create_secrets(config.data_dir, config.admin_token, config.jwt_secret);
  if (secrets.admin_token_generated) {
    // Printed once, on the run that generated it; afterwards it lives only in the data dir.
    std::cout << "Generated admin token (stored in " << (config.data_dir / "secrets").string()
              << "): " << secrets.admin_token << std::endl;
  }

  RuntimeOptions options;
  options.io_threads = config.io_threads;
  options.db_pool_size = config.db_pool_size;
  options.db_acquire_timeout = config.db_acquire_timeout;
  options.tenant_cache_ttl = config.tenant_cache_ttl;
  Runtime rt(config, options);
  auto& backends = rt.backends();

  // Everything below is destroyed before the runtime, after run_until_stopped has drained it.
  api::UsageReporter usage(rt.tasks(), rt.io().get_executor(), backends.storage(), backends.cache(),
                           rt.metrics());
  auth::Authenticator authenticator(secrets.admin_token, auth::JwtCodec(secrets.jwt_secret),
                                    rt.registry());

  http::Router router;
  api::add_ops_routes(router, rt.pool(), rt.metrics(), backends.cache(), backends.storage(),
                      backends.redis(), /*with_metrics=*/!config.metrics_listen);
  api::add_tenant_health_route(router, rt.pool(), backends.cache(), backends.storage(),
                               std::chrono::milliseconds(2000), config.tenant_health_cache);
  api::add_admin_routes(router, rt.registry(), authenticator.jwt(), backends.storage(),
                        backends.cache());
  api::add_tenant_routes(router, rt.pool(), backends.cache());
  api::add_content_routes(router, rt.pool());
  api::add_performance_routes(router, rt.pool());
  api::add_job_routes(router, rt.pool());
  api::add_publishing_routes(router, rt.pool());
  api::add_files_routes(router, backends.storage(), usage, config.storage_quotas);

  // Tenants' blogs on their own domains (chosen by the Host header), before the API's routes.
  // Its page views are counted in memory and written every AUTOBLOG_BLOG_VIEWS_FLUSH_MS.
  hosted::ViewCounter views(rt.pool(), rt.registry());
  hosted::HostedBlog blog(rt.pool(), rt.registry(), backends.storage(), &views);

  // Error mapping outermost, then access log + metrics, the hosted blog, routing,
  // authentication, rate limit, the handler.
  std::vector<http::Middleware> middleware{
      http::error_mapping(api::map_exception),
      http::access_log(rt.metrics(), config.access_log, api::map_exception), blog.middleware(),
      http::routing(router), authenticator.middleware()};
  if (config.rate_limits)
    middleware.push_back(ratelimit::rate_limit(backends.limiter(), rt.metrics()));
  auto app = http::chain(std::move(middleware), http::dispatch_to_route());

  http::ServerOptions server_options;
  server_options.max_body_bytes = config.max_body_bytes;
  server_options.max_upload_bytes = config.max_object_bytes;
  server_options.request_timeout = config.request_timeout;
  server_options.header_timeout = config.header_timeout;
  server_options.max_connections = config.max_connections;
  server_options.max_inflight_body_bytes = config.max_inflight_body_bytes;
  Listeners server;
  server.start(rt.io(), server_options, config.listen_addresses, config.listen_port, app,
               rt.loops());

  // Metrics listener (AUTOBLOG_METRICS_LISTEN): /metrics names every tenant and its usage, so it
  // can be kept off the public listener. Its own router with that one route, behind error
  // mapping and routing only (no access log: scrapes would drown the requests that matter).
  http::Router metrics_router;
  std::optional<Listeners> metrics_server;
  if (config.metrics_listen) {
    api::add_metrics_route(metrics_router, rt.pool(), rt.metrics(), backends.redis());
    std::vector<http::Middleware> metrics_chain{http::error_mapping(api::map_exception),
                                                http::routing(metrics_router)};
    http::ServerOptions metrics_options = server_options;
    metrics_options.max_connections = 64;
    metrics_server.emplace();
    metrics_server->start(rt.io(), metrics_options, config.metrics_addresses, config.metrics_port,
                          http::chain(std::move(metrics_chain), http::dispatch_to_route()));
    log_info("metrics listening", {{"address", config.metrics_host},
                                   {"addresses", addresses_json(config.metrics_addresses)},
                                   {"port", static_cast<std::int64_t>(metrics_server->port())}});
  }

  rt.tasks().spawn("tenant-change-listener", rt.io().get_executor(),
                   tenancy::listen_for_tenant_changes(
                       rt.conninfo(), rt.registry(),
                       [&blog](const std::string& tenant_id) { blog.blog_changed(tenant_id); }));
  rt.tasks().spawn("blog-page-views", rt.io().get_executor(), views.run(config.blog_views_flush));
  auto scheduler = start_discovery_scheduler(rt);
  std::optional<JobWorkers> job_workers;
  if (config.workers > 0) {
    job_workers.emplace(rt, config.workers);
    job_workers->start();
  }

  log_info("listening", {{"address", config.listen_host},
                         {"addresses", addresses_json(config.listen_addresses)},
                         {"port", static_cast<std::int64_t>(server.port())},
                         {"io_threads", config.io_threads},
                         {"db_pool_size", config.db_pool_size},
                         {"job_workers", config.workers},
                         {"database", rt.embedded_database() ? "embedded" : "external"},
                         {"rate_limits_and_cache", backends.uses_redis() ? "redis" : "in-process"},
                         {"storage", backends.uses_s3() ? "s3" : "local"},
                         {"rate_limits", config.rate_limits}});

  // Shutdown: stop accepting and close idle connections; let requests in flight finish until
  // the shutdown deadline; cancel the rest (they answer 503, their transactions roll back);
  // then wait for the connections to close. The runtime then stops its task group.
  rt.run_until_stopped([&]() -> asio::awaitable<void> {
    server.stop();
    if (metrics_server) metrics_server->stop();
    auto drain_until = std::chrono::steady_clock::now() + config.shutdown_timeout;
    if (metrics_server) co_await metrics_server->wait_closed(drain_until);
    bool drained = co_await server.wait_closed(drain_until);
    if (!drained) {
      log_info("cancelling requests still in flight",
               {{"requests", static_cast<std::int64_t>(server.requests_in_flight())}});
      server.cancel_requests();
      co_await server.wait_closed(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    }
    // The page views counted since the last flush (no request adds more now).
    co_await views.flush();
    // Running jobs get what is left of the shutdown deadline; the rest go back to the queue.
    if (job_workers) co_await job_workers->drain(drain_until);
  });
  log_info("stopped");
  return 0;
}

}  // namespace autoblog::app
