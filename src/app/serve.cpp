#include "app/serve.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <iostream>
#include <thread>

#include "api/admin_api.h"
#include "api/error_mapping.h"
#include "api/files_api.h"
#include "api/ops_api.h"
#include "api/tenant_api.h"
#include "api/tenant_health_api.h"
#include "api/usage_reporter.h"
#include "app/backends.h"
#include "app/runtime.h"
#include "app/secrets.h"
#include "auth/authenticator.h"
#include "db/migrations/migrator.h"
#include "http/access_log.h"
#include "http/error_mapping.h"
#include "http/server.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "ratelimit/rate_limit_middleware.h"
#include "tenancy/change_listener.h"
#include "tenancy/registry.h"

namespace autoblog::app {

namespace asio = boost::asio;
using observability::log_info;

int serve(const Config& config) {
  auto secrets = load_or_create_secrets(config.data_dir, config.admin_token, config.jwt_secret);
  if (secrets.admin_token_generated) {
    // Printed once, on the run that generated it; afterwards it lives only in the data dir.
    std::cout << "Generated admin token (stored in " << (config.data_dir / "secrets").string()
              << "): " << secrets.admin_token << std::endl;
  }

  DatabaseHandle database(config);
  asio::io_context ioc(config.io_threads);
  observability::Metrics metrics(config.metrics_tenant_labels);

  db::Pool pool(ioc.get_executor(),
                db::PoolOptions{database.conninfo(), config.db_pool_size,
                                config.db_acquire_timeout, config.db_max_waiters,
                                std::chrono::milliseconds(5000), config.db_prepared_statements,
                                [&metrics] { metrics.count_db_pool_timeout(); }});
  int applied = run_to_completion(
      ioc, db::migrate_core(pool, db::load_migrations(db::embedded_core_migrations())));
  if (applied > 0) log_info("core migrations applied", {{"count", applied}});

  tenancy::TenantRegistry registry(pool, db::load_migrations(db::embedded_tenant_migrations()),
                                   config.tenant_cache_ttl);
  Backends backends(config, ioc.get_executor(), &metrics);
  api::UsageReporter usage(ioc.get_executor(), backends.storage(), backends.cache(), metrics);
  auth::Authenticator authenticator(secrets.admin_token, auth::JwtCodec(secrets.jwt_secret),
                                    registry);

  http::Router router;
  api::add_ops_routes(router, pool, metrics, backends.cache(), backends.storage());
  api::add_tenant_health_route(router, pool, backends.cache(), backends.storage(),
                               std::chrono::milliseconds(2000));
  api::add_admin_routes(router, registry, authenticator.jwt(), backends.storage(),
                        backends.cache());
  api::add_tenant_routes(router, pool, backends.cache());
  api::add_content_routes(router, pool);
  api::add_files_routes(router, backends.storage(), usage);

  // Error mapping outermost, then access log + metrics, routing, authentication, rate limit,
  // the handler.
  std::vector<http::Middleware> middleware{http::error_mapping(api::map_exception),
                                           http::access_log(metrics, config.access_log,
                                                            api::map_exception),
                                           http::routing(router), authenticator.middleware()};
  if (config.rate_limits) middleware.push_back(ratelimit::rate_limit(backends.limiter(), metrics));
  auto app = http::chain(std::move(middleware), http::dispatch_to_route());

  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.max_body_bytes = config.max_body_bytes;
  options.max_upload_bytes = config.max_object_bytes;
  http::Server server(ioc, options, app);
  server.start();

  asio::co_spawn(ioc, tenancy::listen_for_tenant_changes(database.conninfo(), registry),
                 asio::detached);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log_info("shutting down", {{"signal", signo}});
    server.stop();
    // Let requests in flight finish (up to 30 s), then stop the I/O threads.
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
          asio::steady_timer t(ioc);
          while (server.active_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
            t.expires_after(std::chrono::milliseconds(20));
            co_await t.async_wait(asio::use_awaitable);
          }
          ioc.stop();
        },
        asio::detached);
  });

  log_info("listening", {{"address", config.listen_host},
                         {"port", static_cast<std::int64_t>(server.port())},
                         {"io_threads", config.io_threads},
                         {"db_pool_size", config.db_pool_size},
                         {"database", database.embedded() ? "embedded" : "external"},
                         {"rate_limits_and_cache", backends.uses_redis() ? "redis" : "in-process"},
                         {"storage", backends.uses_s3() ? "s3" : "local"},
                         {"rate_limits", config.rate_limits}});

  ioc.restart();  // run_to_completion() above left it stopped
  std::vector<std::thread> threads;
  for (int i = 1; i < config.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  log_info("stopped");
  return 0;
}

}  // namespace autoblog::app
