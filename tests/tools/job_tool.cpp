// autoblog_job_tool: enqueues internal `noop` jobs for tests and benchmarks, through the same
// code path as the API (jobs::enqueue inside a tenant transaction), since no route enqueues
// that kind. Not installed; built with the tests.
//
//   AUTOBLOG_DATABASE_URL=… autoblog_job_tool --tenant ID [--count N] [--per-tx K]
//       [--payload JSON] [--max-attempts N] [--delay-ms MS] [--reserve-unit]
// Prints {"enqueued": N, "seconds": S, "ids": [...] (when N <= 100)} on stdout.
#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <iostream>

#include "app/config.h"
#include "app/runtime.h"
#include "jobs/enqueue.h"
#include "jobs/job_queries.h"
#include "observability/log.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_tx.h"

using namespace autoblog;

int main(int argc, char** argv) {
  CLI::App cli{"Enqueue noop jobs (tests and benchmarks)"};
  std::string tenant_id, payload = "{}";
  int count = 1, per_tx = 1, max_attempts = 5;
  long long delay_ms = 0;
  bool reserve_unit = false;
  cli.add_option("--tenant", tenant_id, "Tenant id")->required();
  cli.add_option("--count", count, "Jobs to enqueue")->check(CLI::Range(1, 10000000));
  cli.add_option("--per-tx", per_tx, "Jobs per transaction")->check(CLI::Range(1, 10000));
  cli.add_option("--payload", payload, "The noop job's payload (JSON object)");
  cli.add_option("--max-attempts", max_attempts)->check(CLI::Range(1, 100));
  cli.add_option("--delay-ms", delay_ms);
  cli.add_flag("--reserve-unit", reserve_unit,
               "Each job holds one daily content unit (as generations do)");
  CLI11_PARSE(cli, argc, argv);

  try {
    auto config = app::config_from_env(app::process_env());
    config.log_level = "warn";
    app::validate(config);
    observability::init_logging(config.log_level);
    app::RuntimeOptions options;
    options.db_pool_size = 2;
    options.tenant_cache_ttl = std::chrono::seconds(0);
    app::Runtime rt(config, options);
    auto t0 = std::chrono::steady_clock::now();
    auto ids = rt.run([&]() -> boost::asio::awaitable<boost::json::array> {
      auto tenant = co_await rt.registry().resolve_active(tenant_id);
      jobs::NewJob job;
      job.kind = std::string(jobs::kNoop);
      job.payload_json = payload;
      job.max_attempts = max_attempts;
      job.delay = std::chrono::milliseconds(delay_ms);
      boost::json::array out;
      int done = 0;
      while (done < count) {
        auto tx = co_await tenancy::TenantTx::begin(rt.pool(), *tenant);
        for (int i = 0; i < per_tx && done < count; ++i, ++done) {
          std::optional<std::string> day;
          if (reserve_unit) {
            db::Params unlimited{db::param(-1)};
            auto unit = co_await tx.exec(jobs::sql::kReserveContentUnit, std::move(unlimited));
            day = std::string(unit.get(0, 0));
          }
          auto e = co_await jobs::enqueue(tx, *tenant, job, day);
          if (count <= 100) out.push_back(boost::json::string(e.id));
        }
        co_await tx.commit();
      }
      co_return out;
    }());
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    boost::json::object result{{"enqueued", count}, {"seconds", seconds}};
    if (count <= 100) result["ids"] = std::move(ids);
    std::cout << boost::json::serialize(result) << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "autoblog_job_tool: " << e.what() << "\n";
    return 1;
  }
}
