#pragma once
// Process configuration: defaults, then AUTOBLOG_* environment variables, then command-line
// flags (applied by main). validate() turns every bad value into one ConfigError whose message
// names the setting; main prints it as one line and exits with code 2.
// A Config is a plain value: copy it freely; not shared between threads after start-up.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "content/providers/settings.h"
#include "tenancy/tenant.h"

namespace autoblog::app {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  // Raw "HOST:PORT"; parsed into listen_host/listen_port by validate(). HOST is an IP address
  // or a name; validate() resolves a name (e.g. localhost) into listen_addresses, and the server
  // listens on each of them (localhost: 127.0.0.1 and, where IPv6 is configured, ::1).
  std::string listen = "127.0.0.1:8080";
  std::string listen_host;                    // as written, without IPv6 brackets
  std::vector<std::string> listen_addresses;  // IP literals, at least one after validate()
  std::uint16_t listen_port = 0;

  // AUTOBLOG_METRICS_LISTEN: when set, /metrics is served only on this "HOST:PORT" (a second
  // listener with that one route) and the main listener answers 404 for it.
  std::optional<std::string> metrics_listen;
  std::string metrics_host;
  std::vector<std::string> metrics_addresses;
  std::uint16_t metrics_port = 0;

  std::filesystem::path data_dir = "var";
  // Jobs run at once by `serve`'s in-process worker (0 = none; `autoblog worker --concurrency`
  // sets its own).
  int workers = 2;
  struct Jobs {
    std::chrono::milliseconds lease{30000};      // a running job's lease
    std::chrono::milliseconds heartbeat{10000};  // renewal period (< lease)
    std::chrono::milliseconds poll{2000};        // safety-net poll besides LISTEN/NOTIFY
    std::chrono::milliseconds retry_base{2000};  // backoff of the first retry (doubles)
    std::chrono::milliseconds retry_max{600000};
    std::chrono::milliseconds retention{7LL * 24 * 3600 * 1000};  // finished jobs kept
    int claim_batch = 100;                       // jobs claimed per statement at most
  } jobs;
  std::optional<std::string> database_url;  // unset = embedded PostgreSQL under data_dir/pg

  int db_pool_size = 16;
  std::chrono::milliseconds db_acquire_timeout{2000};
  int db_max_waiters = 1024;
  bool db_prepared_statements = true;  // off behind PgBouncer < 1.21 in transaction mode
  int db_statement_cache_size = 256;   // tenant statements kept prepared per connection
  bool db_shared_reads = true;  // single-statement reads multiplexed, one connection per loop
  int db_shared_reads_cache_size = 4096;  // tenant statements kept prepared on each of those
  std::chrono::milliseconds db_statement_timeout{5000};  // every statement's default deadline
  std::chrono::milliseconds db_migration_statement_timeout{600000};
  std::chrono::milliseconds request_timeout{30000};   // a request's whole deadline (then 503)
  std::chrono::milliseconds shutdown_timeout{10000};  // drain of in-flight requests at shutdown
  std::chrono::milliseconds header_timeout{10000};    // a request head, from its first byte
  std::size_t max_connections = 10000;  // open HTTP connections (also capped by RLIMIT_NOFILE)
  std::size_t max_inflight_body_bytes = 256u << 20;  // request bodies in memory at once
  int io_threads = 0;                                // 0 = one per core
  std::size_t max_body_bytes = 1 << 20;

  std::size_t max_object_bytes = 25 << 20;  // PUT /v1/files body limit
  // Storage quota per tier in bytes (-1 = unlimited); a tenant's limits.storage_bytes overrides.
  tenancy::StorageQuotaDefaults storage_quotas;
  // GET /health/tenant/{id} answers from a per-tenant cache this long (0 = every call checks).
  std::chrono::milliseconds tenant_health_cache{5000};

  // Production backends; unset = the embedded (in-process / local files) ones.
  std::optional<std::string> redis_url;
  int redis_pool_size = 16;  // multiplexed connections at most; each I/O thread uses one
  struct S3 {
    std::string endpoint, bucket, region = "us-east-1", access_key, secret_key;
  };
  std::optional<S3> s3;  // set when AUTOBLOG_S3_ENDPOINT is
  std::size_t cache_max_bytes = 64 << 20;
  bool rate_limits = true;  // off only for benchmarks' baselines and trusted single-tenant setups

  // AI providers (AUTOBLOG_AI_*): endpoint, models, timeouts and the shared provider budget.
  content::providers::AiSettings ai;
  // AUTOBLOG_PROMPTS_DIR: the operator's prompt templates, each replacing the built-in file of
  // the same name (empty = the built-in prompts only).
  std::string prompts_dir;
  // AUTOBLOG_BLOG_VIEWS_FLUSH_MS: how often the hosted blog's page views are written.
  std::chrono::milliseconds blog_views_flush{10000};

  // Scheduled trend discovery (jobs/scheduler.h): AUTOBLOG_SCHEDULER_INTERVAL_MS between two
  // looks at the due schedules (0 = this process schedules nothing), and
  // AUTOBLOG_SCHEDULER_HOUR_SECONDS, the length of one hour of sources.every_hours — a testing
  // knob, 3600 in production.
  std::chrono::milliseconds scheduler_interval{60000};
  std::chrono::seconds scheduler_hour{3600};

  // Outbound requests to tenant-supplied URLs (feeds): AUTOBLOG_EGRESS_ALLOW_PRIVATE lets them
  // reach loopback, private and link-local addresses (tests, closed networks; net/egress_policy.h).
  bool egress_allow_private = false;
  // Trend discovery (docs/trends.md): one feed's whole fetch, and its size cap.
  std::chrono::milliseconds trends_feed_timeout{10000};
  std::size_t trends_feed_max_bytes = 5u << 20;
  // Each call of a remote publishing target (webhook, WordPress, Ghost), retries of the job aside.
  std::chrono::milliseconds publish_timeout{30000};

  std::string admin_token;  // empty = load or generate in the data dir
  std::string jwt_secret;   // empty = load or generate in the data dir

  std::string log_level = "info";
  bool access_log = true;
  std::size_t metrics_tenant_labels = 1000;
  std::chrono::seconds tenant_cache_ttl{30};
};

using EnvLookup = std::function<std::optional<std::string>(const char*)>;
EnvLookup process_env();

// Applies AUTOBLOG_* variables over the defaults. Throws ConfigError on unparsable numbers.
Config config_from_env(const EnvLookup& env);

// Checks ranges and derives listen_host/listen_port/listen_addresses (and the metrics ones),
// resolving host names (a blocking getaddrinfo: call it before anything starts). Throws
// ConfigError, also for a name that does not resolve.
void validate(Config& config);

// Parses a decimal integer in [min, max]; throws ConfigError naming `what`.
long long parse_int_setting(const std::string& what, const std::string& text, long long min,
                            long long max);

}  // namespace autoblog::app
