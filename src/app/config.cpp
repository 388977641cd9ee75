#include "app/config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstdlib>
#include <thread>

#include "content/providers/settings.h"
#include "redis/client.h"

namespace autoblog::app {

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

long long parse_int_setting(const std::string& what, const std::string& text, long long min,
                            long long max) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw ConfigError(what + ": '" + text + "' is not an integer");
  if (value < min || value > max)
    throw ConfigError(what + ": " + text + " is out of range [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
  return value;
}

namespace {

bool parse_bool(const std::string& what, const std::string& text) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  throw ConfigError(what + ": '" + text + "' is not a boolean (use 1/0, true/false)");
}

}  // namespace

Config config_from_env(const EnvLookup& env) {
  Config c;
  auto str = [&](const char* name, auto&& apply) {
    if (auto v = env(name)) apply(*v);
  };
  constexpr long long kIntMax = 1LL << 40;
  str("AUTOBLOG_LISTEN", [&](const std::string& v) { c.listen = v; });
  str("AUTOBLOG_METRICS_LISTEN", [&](const std::string& v) {
    if (!v.empty()) c.metrics_listen = v;
  });
  str("AUTOBLOG_DATA_DIR", [&](const std::string& v) { c.data_dir = v; });
  str("AUTOBLOG_WORKERS", [&](const std::string& v) {
    c.workers = static_cast<int>(parse_int_setting("AUTOBLOG_WORKERS", v, -kIntMax, kIntMax));
  });
  str("AUTOBLOG_DATABASE_URL", [&](const std::string& v) {
    if (!v.empty()) c.database_url = v;
  });
  str("AUTOBLOG_DB_POOL_SIZE", [&](const std::string& v) {
    c.db_pool_size =
        static_cast<int>(parse_int_setting("AUTOBLOG_DB_POOL_SIZE", v, -kIntMax, kIntMax));
  });
  auto millis = [&](const char* name, std::chrono::milliseconds& out, long long min,
                    long long max) {
    str(name, [&out, name, min, max](const std::string& v) {
      out = std::chrono::milliseconds(parse_int_setting(name, v, min, max));
    });
  };
  millis("AUTOBLOG_DB_STATEMENT_TIMEOUT_MS", c.db_statement_timeout, 1, 3600000);
  millis("AUTOBLOG_JOB_LEASE_MS", c.jobs.lease, 200, 3600000);
  millis("AUTOBLOG_JOB_HEARTBEAT_MS", c.jobs.heartbeat, 50, 3600000);
  millis("AUTOBLOG_JOB_POLL_MS", c.jobs.poll, 10, 600000);
  millis("AUTOBLOG_JOB_RETRY_BASE_MS", c.jobs.retry_base, 0, 3600000);
  millis("AUTOBLOG_JOB_RETRY_MAX_MS", c.jobs.retry_max, 0, 86400000);
  millis("AUTOBLOG_JOB_RETENTION_MS", c.jobs.retention, 0, 365LL * 86400000);
  millis("AUTOBLOG_AI_TEMPLATE_LATENCY_MS", c.ai.template_latency, 0, 600000);
  millis("AUTOBLOG_BLOG_VIEWS_FLUSH_MS", c.blog_views_flush, 100, 3600000);
  str("AUTOBLOG_JOB_CLAIM_BATCH", [&](const std::string& v) {
    c.jobs.claim_batch =
        static_cast<int>(parse_int_setting("AUTOBLOG_JOB_CLAIM_BATCH", v, 1, 1000));
  });
  millis("AUTOBLOG_DB_MIGRATION_TIMEOUT_MS", c.db_migration_statement_timeout, 1, 86400000);
  millis("AUTOBLOG_REQUEST_TIMEOUT_MS", c.request_timeout, 1, 3600000);
  millis("AUTOBLOG_SHUTDOWN_TIMEOUT_MS", c.shutdown_timeout, 0, 3600000);
  millis("AUTOBLOG_HTTP_HEADER_TIMEOUT_MS", c.header_timeout, 100, 600000);
  str("AUTOBLOG_MAX_INFLIGHT_BODY_BYTES", [&](const std::string& v) {
    c.max_inflight_body_bytes = static_cast<std::size_t>(
        parse_int_setting("AUTOBLOG_MAX_INFLIGHT_BODY_BYTES", v, 1024, kIntMax));
  });
  str("AUTOBLOG_MAX_CONNECTIONS", [&](const std::string& v) {
    c.max_connections =
        static_cast<std::size_t>(parse_int_setting("AUTOBLOG_MAX_CONNECTIONS", v, 1, 1000000));
  });
  str("AUTOBLOG_DB_ACQUIRE_TIMEOUT_MS", [&](const std::string& v) {
    c.db_acquire_timeout = std::chrono::milliseconds(
        parse_int_setting("AUTOBLOG_DB_ACQUIRE_TIMEOUT_MS", v, 1, 600000));
  });
  str("AUTOBLOG_DB_MAX_WAITERS", [&](const std::string& v) {
    c.db_max_waiters =
        static_cast<int>(parse_int_setting("AUTOBLOG_DB_MAX_WAITERS", v, 0, 1000000));
  });
  str("AUTOBLOG_DB_PREPARED_STATEMENTS", [&](const std::string& v) {
    c.db_prepared_statements = parse_bool("AUTOBLOG_DB_PREPARED_STATEMENTS", v);
  });
  str("AUTOBLOG_DB_SHARED_READS", [&](const std::string& v) {
    c.db_shared_reads = parse_bool("AUTOBLOG_DB_SHARED_READS", v);
  });
  str("AUTOBLOG_DB_SHARED_READS_CACHE_SIZE", [&](const std::string& v) {
    c.db_shared_reads_cache_size = static_cast<int>(
        parse_int_setting("AUTOBLOG_DB_SHARED_READS_CACHE_SIZE", v, 0, 100000));
  });
  str("AUTOBLOG_DB_STATEMENT_CACHE_SIZE", [&](const std::string& v) {
    c.db_statement_cache_size = static_cast<int>(
        parse_int_setting("AUTOBLOG_DB_STATEMENT_CACHE_SIZE", v, 0, 100000));
  });
  str("AUTOBLOG_IO_THREADS", [&](const std::string& v) {
    c.io_threads = static_cast<int>(parse_int_setting("AUTOBLOG_IO_THREADS", v, 0, 256));
  });
  str("AUTOBLOG_MAX_BODY_BYTES", [&](const std::string& v) {
    c.max_body_bytes =
        static_cast<std::size_t>(parse_int_setting("AUTOBLOG_MAX_BODY_BYTES", v, 1024, 1LL << 32));
  });
  str("AUTOBLOG_MAX_OBJECT_BYTES", [&](const std::string& v) {
    c.max_object_bytes = static_cast<std::size_t>(
        parse_int_setting("AUTOBLOG_MAX_OBJECT_BYTES", v, 1024, 5LL << 30));
  });
  auto quota = [&](const char* name, std::int64_t& out) {
    str(name, [&](const std::string& v) { out = parse_int_setting(name, v, -1, 1LL << 50); });
  };
  quota("AUTOBLOG_STORAGE_QUOTA_STARTER_BYTES", c.storage_quotas.starter);
  quota("AUTOBLOG_STORAGE_QUOTA_GROWTH_BYTES", c.storage_quotas.growth);
  quota("AUTOBLOG_STORAGE_QUOTA_ENTERPRISE_BYTES", c.storage_quotas.enterprise);
  str("AUTOBLOG_TENANT_HEALTH_CACHE_MS", [&](const std::string& v) {
    c.tenant_health_cache = std::chrono::milliseconds(
        parse_int_setting("AUTOBLOG_TENANT_HEALTH_CACHE_MS", v, 0, 600000));
  });
  str("AUTOBLOG_CACHE_MAX_BYTES", [&](const std::string& v) {
    c.cache_max_bytes = static_cast<std::size_t>(
        parse_int_setting("AUTOBLOG_CACHE_MAX_BYTES", v, 1 << 16, 1LL << 40));
  });
  str("AUTOBLOG_RATE_LIMITS",
      [&](const std::string& v) { c.rate_limits = parse_bool("AUTOBLOG_RATE_LIMITS", v); });
  str("AUTOBLOG_REDIS_POOL_SIZE", [&](const std::string& v) {
    c.redis_pool_size = static_cast<int>(parse_int_setting("AUTOBLOG_REDIS_POOL_SIZE", v, 1, 1024));
  });
  str("AUTOBLOG_REDIS_URL", [&](const std::string& v) {
    if (!v.empty()) c.redis_url = v;
  });
  if (auto endpoint = env("AUTOBLOG_S3_ENDPOINT"); endpoint && !endpoint->empty()) {
    Config::S3 s3;
    s3.endpoint = *endpoint;
    str("AUTOBLOG_S3_BUCKET", [&](const std::string& v) { s3.bucket = v; });
    str("AUTOBLOG_S3_REGION", [&](const std::string& v) { s3.region = v; });
    str("AUTOBLOG_S3_ACCESS_KEY", [&](const std::string& v) { s3.access_key = v; });
    str("AUTOBLOG_S3_SECRET_KEY", [&](const std::string& v) { s3.secret_key = v; });
    c.s3 = std::move(s3);
  }
  // ---- AI providers ----
  auto optional_text = [&](const char* name, std::optional<std::string>& out) {
    str(name, [&](const std::string& v) {
      if (!v.empty()) out = v;
    });
  };
  optional_text("AUTOBLOG_AI_BASE_URL", c.ai.base_url);
  str("AUTOBLOG_AI_API_KEY", [&](const std::string& v) { c.ai.api_key = v; });
  optional_text("AUTOBLOG_AI_MODEL", c.ai.model);
  optional_text("AUTOBLOG_AI_MODEL_STARTER", c.ai.model_starter);
  optional_text("AUTOBLOG_AI_MODEL_GROWTH", c.ai.model_growth);
  optional_text("AUTOBLOG_AI_MODEL_ENTERPRISE", c.ai.model_enterprise);
  optional_text("AUTOBLOG_AI_IMAGE_QUALITY", c.ai.image_quality);
  optional_text("AUTOBLOG_AI_IMAGE_PROVIDER", c.ai.image_provider);
  str("AUTOBLOG_AI_IMAGE_MODEL", [&](const std::string& v) { c.ai.image_model = v; });
  str("AUTOBLOG_AI_IMAGE_SIZE", [&](const std::string& v) { c.ai.image_size = v; });
  millis("AUTOBLOG_AI_CONNECT_TIMEOUT_MS", c.ai.connect_timeout, 1, 600000);
  millis("AUTOBLOG_AI_TIMEOUT_MS", c.ai.timeout, 1, 3600000);
  millis("AUTOBLOG_AI_MAX_RETRY_AFTER_MS", c.ai.max_retry_after, 0, 3600000);
  str("AUTOBLOG_AI_MAX_ATTEMPTS", [&](const std::string& v) {
    c.ai.max_attempts = static_cast<int>(parse_int_setting("AUTOBLOG_AI_MAX_ATTEMPTS", v, 1, 10));
  });
  auto count = [&](const char* name, std::int64_t& out, long long min) {
    str(name, [&](const std::string& v) { out = parse_int_setting(name, v, min, 1LL << 40); });
  };
  count("AUTOBLOG_AI_REQUESTS_PER_MINUTE", c.ai.limits.requests_per_minute, 0);
  count("AUTOBLOG_AI_TOKENS_PER_MINUTE", c.ai.limits.tokens_per_minute, 0);
  count("AUTOBLOG_AI_BURST", c.ai.limits.burst, 1);
  str("AUTOBLOG_PROMPTS_DIR", [&](const std::string& v) { c.prompts_dir = v; });
  str("AUTOBLOG_EGRESS_ALLOW_PRIVATE", [&](const std::string& v) {
    c.egress_allow_private = parse_bool("AUTOBLOG_EGRESS_ALLOW_PRIVATE", v);
  });
  millis("AUTOBLOG_TRENDS_FEED_TIMEOUT_MS", c.trends_feed_timeout, 100, 600000);
  millis("AUTOBLOG_PUBLISH_TIMEOUT_MS", c.publish_timeout, 100, 600000);
  millis("AUTOBLOG_SCHEDULER_INTERVAL_MS", c.scheduler_interval, 0, 86400000);
  str("AUTOBLOG_SCHEDULER_HOUR_SECONDS", [&](const std::string& v) {
    c.scheduler_hour =
        std::chrono::seconds(parse_int_setting("AUTOBLOG_SCHEDULER_HOUR_SECONDS", v, 1, 3600));
  });
  str("AUTOBLOG_TRENDS_FEED_MAX_BYTES", [&](const std::string& v) {
    c.trends_feed_max_bytes = static_cast<std::size_t>(
        parse_int_setting("AUTOBLOG_TRENDS_FEED_MAX_BYTES", v, 1024, 256LL << 20));
  });

  str("AUTOBLOG_ADMIN_TOKEN", [&](const std::string& v) { c.admin_token = v; });
  str("AUTOBLOG_JWT_SECRET", [&](const std::string& v) { c.jwt_secret = v; });
  str("AUTOBLOG_LOG_LEVEL", [&](const std::string& v) { c.log_level = v; });
  str("AUTOBLOG_ACCESS_LOG",
      [&](const std::string& v) { c.access_log = parse_bool("AUTOBLOG_ACCESS_LOG", v); });
  str("AUTOBLOG_METRICS_TENANT_LABELS", [&](const std::string& v) {
    c.metrics_tenant_labels = static_cast<std::size_t>(
        parse_int_setting("AUTOBLOG_METRICS_TENANT_LABELS", v, 1, 1000000));
  });
  str("AUTOBLOG_TENANT_CACHE_TTL_SECONDS", [&](const std::string& v) {
    c.tenant_cache_ttl =
        std::chrono::seconds(parse_int_setting("AUTOBLOG_TENANT_CACHE_TTL_SECONDS", v, 0, 86400));
  });
  return c;
}

namespace {

// The addresses to listen on for `host`: itself when it is an IP address, else what the name
// resolves to (AI_ADDRCONFIG: IPv6 answers only where IPv6 is configured), in resolver order,
// without duplicates.
std::vector<std::string> listen_addresses_of(const std::string& what, const std::string& text,
                                             const std::string& host) {
  boost::system::error_code ec;
  auto literal = boost::asio::ip::make_address(host, ec);
  if (!ec) return {literal.to_string()};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0)
    throw ConfigError(what + " address '" + text + "': cannot resolve '" + host + "' (" +
                      ::gai_strerror(rc) + ")");
  std::vector<std::string> out;
  for (auto* ai = found; ai; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    const void* addr =
        ai->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        !::inet_ntop(ai->ai_family, addr, buf, sizeof buf))
      continue;
    if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
  }
  ::freeaddrinfo(found);
  if (out.empty())
    throw ConfigError(what + " address '" + text + "': '" + host + "' has no IP address");
  return out;
}

// "HOST:PORT" (HOST may be a bracketed IPv6 address or a name) into host, port and the
// addresses to listen on.
void split_host_port(const std::string& what, const std::string& text, std::string& host,
                     std::uint16_t& port, std::vector<std::string>& addresses) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw ConfigError(what + " address '" + text + "' must be HOST:PORT");
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = static_cast<std::uint16_t>(
      parse_int_setting(what + " port", text.substr(colon + 1), 0, 65535));
  addresses = listen_addresses_of(what, text, host);
}

}  // namespace

void validate(Config& c) {
  split_host_port("listen", c.listen, c.listen_host, c.listen_port, c.listen_addresses);
  if (c.metrics_listen)
    split_host_port("AUTOBLOG_METRICS_LISTEN", *c.metrics_listen, c.metrics_host, c.metrics_port,
                    c.metrics_addresses);

  if (c.workers < 0 || c.workers > 256)
    throw ConfigError("workers: " + std::to_string(c.workers) + " is out of range [0, 256]");
  if (c.jobs.heartbeat >= c.jobs.lease)
    throw ConfigError("AUTOBLOG_JOB_HEARTBEAT_MS (" + std::to_string(c.jobs.heartbeat.count()) +
                      ") must be shorter than AUTOBLOG_JOB_LEASE_MS (" +
                      std::to_string(c.jobs.lease.count()) + ")");
  if (c.db_pool_size < 1 || c.db_pool_size > 1000)
    throw ConfigError("db pool size: " + std::to_string(c.db_pool_size) +
                      " is out of range [1, 1000]");
  if (c.data_dir.empty()) throw ConfigError("data dir must not be empty");
  if (!c.admin_token.empty() && c.admin_token.size() < 16)
    throw ConfigError("AUTOBLOG_ADMIN_TOKEN must be at least 16 characters");
  if (!c.jwt_secret.empty() && c.jwt_secret.size() < 32)
    throw ConfigError("AUTOBLOG_JWT_SECRET must be at least 32 bytes");
  if (c.redis_url) {
    try {
      redis::parse_redis_url(*c.redis_url);
    } catch (const std::invalid_argument& e) {  // the message never holds the password
      throw ConfigError(std::string("AUTOBLOG_REDIS_URL: ") + e.what() +
                        " (redis://[[user]:password@]host[:port][/db] or "
                        "unix://[[user]:password@]/path/to/redis.sock[?db=N])");
    }
  }
  if (c.s3) {
    if (!c.s3->endpoint.starts_with("http://") && !c.s3->endpoint.starts_with("https://"))
      throw ConfigError("AUTOBLOG_S3_ENDPOINT must be an http:// or https:// URL");
    if (c.s3->bucket.empty() || c.s3->access_key.empty() || c.s3->secret_key.empty())
      throw ConfigError(
          "AUTOBLOG_S3_ENDPOINT needs AUTOBLOG_S3_BUCKET, AUTOBLOG_S3_ACCESS_KEY and "
          "AUTOBLOG_S3_SECRET_KEY");
  }
  try {
    content::providers::validate(c.ai);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  bool level_ok = false;
  for (auto* l : kLevels) level_ok = level_ok || c.log_level == l;
  if (!level_ok)
    throw ConfigError("log level '" + c.log_level +
                      "' must be one of trace, debug, info, warn, error");
  if (c.io_threads == 0)
    c.io_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace autoblog::app
