#include <gtest/gtest.h>

#include <map>

#include "app/config.h"

using namespace autoblog::app;

namespace {
EnvLookup env(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST(Config, DefaultsAreValid) {
  auto c = config_from_env(env({}));
  validate(c);
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.data_dir, "var");
  EXPECT_FALSE(c.database_url.has_value());
  EXPECT_GE(c.io_threads, 1);
}

TEST(Config, EnvironmentOverridesDefaults) {
  auto c = config_from_env(env({{"AUTOBLOG_LISTEN", "0.0.0.0:9000"},
                                {"AUTOBLOG_DB_POOL_SIZE", "7"},
                                {"AUTOBLOG_DATABASE_URL", "postgresql:///x"},
                                {"AUTOBLOG_ACCESS_LOG", "0"}}));
  validate(c);
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.db_pool_size, 7);
  EXPECT_EQ(c.database_url.value(), "postgresql:///x");
  EXPECT_FALSE(c.access_log);
}

TEST(Config, ListenHostIsAnAddressOrAResolvedName) {
  Config c;
  c.listen = "[::1]:8080";
  validate(c);
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_addresses, std::vector<std::string>{"::1"});

  // localhost is 127.0.0.1 (and ::1 where IPv6 is configured): listened on as such.
  c.listen = "localhost:8080";
  validate(c);
  EXPECT_EQ(c.listen_host, "localhost");
  EXPECT_EQ(c.listen_port, 8080);
  ASSERT_FALSE(c.listen_addresses.empty());
  for (const auto& a : c.listen_addresses) EXPECT_TRUE(a == "127.0.0.1" || a == "::1") << a;

  // .invalid never resolves (RFC 6761): a config error naming the setting and the name.
  c.listen = "no-such-host.invalid:8080";
  try {
    validate(c);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-host.invalid"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("listen"), std::string::npos) << e.what();
  }
}

TEST(Config, BadNumbersAreConfigErrors) {
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_DB_POOL_SIZE", "ten"}})), ConfigError);
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_WORKERS", "3x"}})), ConfigError);
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_MAX_BODY_BYTES", "1"}})), ConfigError);
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_ACCESS_LOG", "maybe"}})), ConfigError);
}

TEST(Config, ValidationRejectsOutOfRangeValues) {
  auto check = [](auto mutate) {
    Config c;
    mutate(c);
    EXPECT_THROW(validate(c), ConfigError);
  };
  check([](Config& c) { c.listen = "nonsense"; });
  check([](Config& c) { c.listen = "127.0.0.1:99999"; });
  check([](Config& c) { c.listen = "127.0.0.1:"; });
  check([](Config& c) { c.workers = -1; });
  check([](Config& c) { c.db_pool_size = 0; });
  check([](Config& c) { c.jwt_secret = "short"; });
  check([](Config& c) { c.admin_token = "short"; });
  check([](Config& c) { c.log_level = "loud"; });
}

TEST(Config, ErrorMessagesNameTheSetting) {
  try {
    config_from_env(env({{"AUTOBLOG_DB_POOL_SIZE", "ten"}}));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("AUTOBLOG_DB_POOL_SIZE"), std::string::npos);
  }
}

TEST(Config, RedisUrlIsCheckedAtStartWithoutEchoingThePassword) {
  for (const char* good : {"redis://cache:6379/2", "unix:///run/redis/redis.sock?db=1"}) {
    auto c = config_from_env(env({{"AUTOBLOG_REDIS_URL", good}}));
    EXPECT_NO_THROW(validate(c)) << good;
  }
  for (const char* bad :
       {"http://cache", "redis://:hunter2@cache:99999", "unix://:hunter2@relative"}) {
    auto c = config_from_env(env({{"AUTOBLOG_REDIS_URL", bad}}));
    try {
      validate(c);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("AUTOBLOG_REDIS_URL"), std::string::npos) << what;
      EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    }
  }
}

TEST(Config, DeadlineSettings) {
  auto c = config_from_env(env({}));
  EXPECT_EQ(c.db_statement_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.request_timeout, std::chrono::milliseconds(30000));
  c = config_from_env(env({{"AUTOBLOG_DB_STATEMENT_TIMEOUT_MS", "250"},
                           {"AUTOBLOG_DB_MIGRATION_TIMEOUT_MS", "90000"},
                           {"AUTOBLOG_REQUEST_TIMEOUT_MS", "1500"},
                           {"AUTOBLOG_SHUTDOWN_TIMEOUT_MS", "0"}}));
  EXPECT_EQ(c.db_statement_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(c.db_migration_statement_timeout, std::chrono::milliseconds(90000));
  EXPECT_EQ(c.request_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.shutdown_timeout, std::chrono::milliseconds(0));
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_DB_STATEMENT_TIMEOUT_MS", "0"}})), ConfigError);
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_REQUEST_TIMEOUT_MS", "soon"}})), ConfigError);
}

TEST(Config, MetricsListenQuotasAndHealthCache) {
  auto c = config_from_env(env({}));
  validate(c);
  EXPECT_FALSE(c.metrics_listen.has_value());  // /metrics stays on the main listener
  EXPECT_EQ(c.storage_quotas.starter, 1LL << 30);
  EXPECT_EQ(c.storage_quotas.growth, 10LL << 30);
  EXPECT_EQ(c.storage_quotas.enterprise, 100LL << 30);
  EXPECT_EQ(c.tenant_health_cache, std::chrono::milliseconds(5000));

  c = config_from_env(env({{"AUTOBLOG_METRICS_LISTEN", "[::1]:9100"},
                           {"AUTOBLOG_STORAGE_QUOTA_STARTER_BYTES", "1000"},
                           {"AUTOBLOG_STORAGE_QUOTA_ENTERPRISE_BYTES", "-1"},
                           {"AUTOBLOG_TENANT_HEALTH_CACHE_MS", "0"}}));
  validate(c);
  EXPECT_EQ(c.metrics_host, "::1");
  EXPECT_EQ(c.metrics_port, 9100);
  EXPECT_EQ(c.storage_quotas.starter, 1000);
  EXPECT_EQ(c.storage_quotas.enterprise, -1);
  EXPECT_EQ(c.tenant_health_cache, std::chrono::milliseconds(0));

  for (const char* bad : {"9100", ":9100", "host:port", "host:70000"}) {
    auto b = config_from_env(env({{"AUTOBLOG_METRICS_LISTEN", bad}}));
    EXPECT_THROW(validate(b), ConfigError) << bad;
  }
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_STORAGE_QUOTA_GROWTH_BYTES", "-2"}})), ConfigError);
  EXPECT_THROW(config_from_env(env({{"AUTOBLOG_TENANT_HEALTH_CACHE_MS", "x"}})), ConfigError);
}

TEST(Config, SchedulerSettings) {
  auto d = config_from_env(env({}));
  EXPECT_EQ(d.scheduler_interval, std::chrono::milliseconds(60000));
  EXPECT_EQ(d.scheduler_hour, std::chrono::seconds(3600));
  auto c = config_from_env(env({{"AUTOBLOG_SCHEDULER_INTERVAL_MS", "0"},
                                {"AUTOBLOG_SCHEDULER_HOUR_SECONDS", "1"}}));
  validate(c);
  EXPECT_EQ(c.scheduler_interval, std::chrono::milliseconds(0));  // 0 = no scheduler
  EXPECT_EQ(c.scheduler_hour, std::chrono::seconds(1));
  for (const char* bad : {"-1", "86400001", "often"})
    EXPECT_THROW(config_from_env(env({{"AUTOBLOG_SCHEDULER_INTERVAL_MS", bad}})), ConfigError)
        << bad;
  for (const char* bad : {"0", "3601", "1.5"})
    EXPECT_THROW(config_from_env(env({{"AUTOBLOG_SCHEDULER_HOUR_SECONDS", bad}})), ConfigError)
        << bad;
}
