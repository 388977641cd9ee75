// Unit tests of observability::Metrics: exact metric names and label sets (docs/architecture.md), the
// tenant-label cap, and exact counts under concurrent recording.
#include "observability/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "observability/log.h"

namespace autoblog::observability {
namespace {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value;
};

// Parses the text exposition format well enough for these tests: `name{k="v",...} value`.
std::vector<Sample> parse(const std::string& text) {
  std::vector<Sample> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    std::size_t i = line.find_first_of("{ ");
    s.name = line.substr(0, i);
    if (line[i] == '{') {
      ++i;
      while (line[i] != '}') {
        const std::size_t eq = line.find('=', i);
        const std::string key = line.substr(i, eq - i);
        std::string value;
        for (i = eq + 2; line[i] != '"'; ++i) {
          if (line[i] == '\\') ++i;
          value += line[i];
        }
        s.labels[key] = value;
        ++i;  // closing quote
        if (line[i] == ',') ++i;
      }
      ++i;  // closing brace
    }
    s.value = std::stod(line.substr(i + 1));
    samples.push_back(std::move(s));
  }
  return samples;
}

// The value of the one sample named `name` whose labels are exactly `labels`.
std::optional<double> value_of(const std::string& text, const std::string& name,
                               const Labels& labels) {
  std::optional<double> found;
  for (const Sample& s : parse(text)) {
    if (s.name != name || s.labels != labels) continue;
    EXPECT_FALSE(found.has_value()) << "duplicate series " << name;
    found = s.value;
  }
  return found;
}

// Sum over every sample named `name`, and how many series there are.
std::pair<double, int> total_of(const std::string& text, const std::string& name) {
  double sum = 0;
  int series = 0;
  for (const Sample& s : parse(text)) {
    if (s.name != name) continue;
    sum += s.value;
    ++series;
  }
  return {sum, series};
}

// The drop mechanics are tested in log_test.cpp (LogDropsReachTheMetric...); here only that
// the series exists from the start and mirrors the logger's count.
TEST(Metrics, LogDropCounterIsAlwaysRendered) {
  Metrics metrics;
  const auto value = value_of(metrics.render(), "autoblog_log_messages_dropped_total", {});
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, static_cast<double>(log_dropped_total()));
}

TEST(Metrics, ObserveRequestRendersExactNamesAndLabels) {
  Metrics metrics;
  metrics.observe_request("t1", "GET", "/v1/content/{id}", 200, 0.003);
  const std::string text = metrics.render();

  EXPECT_NE(text.find("# TYPE autoblog_tenant_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE autoblog_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE autoblog_http_request_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(text.find("autoblog_tenant_requests_total{endpoint=\"/v1/content/{id}\","
                      "status=\"200\",tenant_id=\"t1\"} 1"),
            std::string::npos)
      << text;

  EXPECT_EQ(value_of(text, "autoblog_tenant_requests_total",
                     {{"tenant_id", "t1"}, {"endpoint", "/v1/content/{id}"}, {"status", "200"}}),
            1);
  EXPECT_EQ(value_of(text, "autoblog_http_requests_total",
                     {{"method", "GET"}, {"endpoint", "/v1/content/{id}"}, {"status", "200"}}),
            1);
  const Labels http{{"method", "GET"}, {"endpoint", "/v1/content/{id}"}};
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_count", http), 1);
  EXPECT_DOUBLE_EQ(*value_of(text, "autoblog_http_request_duration_seconds_sum", http), 0.003);
  Labels bucket = http;
  bucket["le"] = "0.0005";
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_bucket", bucket), 0);
  bucket["le"] = "0.0025";
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_bucket", bucket), 0);
  bucket["le"] = "0.005";
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_bucket", bucket), 1);
  bucket["le"] = "10";
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_bucket", bucket), 1);
  bucket["le"] = "+Inf";
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_bucket", bucket), 1);
}

TEST(Metrics, RequestWithoutTenantRecordsOnlyHttpSeries) {
  Metrics metrics;
  metrics.observe_request("", "GET", "/healthz", 200, 0.0001);
  const std::string text = metrics.render();
  EXPECT_EQ(total_of(text, "autoblog_tenant_requests_total").second, 0);
  EXPECT_EQ(value_of(text, "autoblog_http_requests_total",
                     {{"method", "GET"}, {"endpoint", "/healthz"}, {"status", "200"}}),
            1);
}

TEST(Metrics, StatusesAndMethodsAreSeparateSeriesSharingOneHistogram) {
  Metrics metrics;
  metrics.observe_request("t1", "POST", "/v1/content", 201, 0.01);
  metrics.observe_request("t1", "POST", "/v1/content", 201, 0.01);
  metrics.observe_request("t1", "POST", "/v1/content", 429, 0.001);
  metrics.observe_request("t1", "GET", "/v1/content", 200, 0.002);
  const std::string text = metrics.render();
  EXPECT_EQ(value_of(text, "autoblog_tenant_requests_total",
                     {{"tenant_id", "t1"}, {"endpoint", "/v1/content"}, {"status", "201"}}),
            2);
  EXPECT_EQ(value_of(text, "autoblog_tenant_requests_total",
                     {{"tenant_id", "t1"}, {"endpoint", "/v1/content"}, {"status", "429"}}),
            1);
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_count",
                     {{"method", "POST"}, {"endpoint", "/v1/content"}}),
            3);
  EXPECT_EQ(value_of(text, "autoblog_http_request_duration_seconds_count",
                     {{"method", "GET"}, {"endpoint", "/v1/content"}}),
            1);
}

TEST(Metrics, TenantLabelsAreCappedIntoOther) {
  Metrics metrics(3);
  for (const char* t : {"a", "b", "c", "a", "d", "e", "d", "b"})
    metrics.observe_request(t, "GET", "/v1/content", 200, 0.001);
  const std::string text = metrics.render();

  auto count = [&](const std::string& tenant) {
    return value_of(text, "autoblog_tenant_requests_total",
                    {{"tenant_id", tenant}, {"endpoint", "/v1/content"}, {"status", "200"}});
  };
  EXPECT_EQ(count("a"), 2);
  EXPECT_EQ(count("b"), 2);
  EXPECT_EQ(count("c"), 1);
  EXPECT_EQ(count("_other"), 3);  // d, e, d
  EXPECT_EQ(count("d"), std::nullopt);
  EXPECT_EQ(count("e"), std::nullopt);
  EXPECT_NE(text.find("tenant_id=\"_other\""), std::string::npos);

  EXPECT_EQ(metrics.tenant_label("a"), "a");
  EXPECT_EQ(metrics.tenant_label("c"), "c");
  EXPECT_EQ(metrics.tenant_label("d"), "_other");
  EXPECT_EQ(metrics.tenant_label("zzz"), "_other");
  EXPECT_EQ(metrics.tenant_label(""), "");
}

TEST(Metrics, TenantLabelAdmitsUpToTheCapAndIsStable) {
  Metrics metrics(2);
  EXPECT_EQ(metrics.tenant_label(""), "");  // takes no slot
  EXPECT_EQ(metrics.tenant_label("x"), "x");
  EXPECT_EQ(metrics.tenant_label("x"), "x");
  EXPECT_EQ(metrics.tenant_label("y"), "y");
  EXPECT_EQ(metrics.tenant_label("z"), "_other");
  EXPECT_EQ(metrics.tenant_label("x"), "x");

  Metrics none(0);
  EXPECT_EQ(none.tenant_label("x"), "_other");
}

TEST(Metrics, CapAppliesToGenerationAndResourceSeries) {
  Metrics metrics(1);
  metrics.observe_generation("t1", "growth", 12.5);
  metrics.observe_generation("t2", "starter", 3);
  metrics.set_resource_usage("t1", "storage_bytes", 1024);
  metrics.set_resource_usage("t2", "storage_bytes", 7);
  const std::string text = metrics.render();

  EXPECT_NE(text.find("# TYPE autoblog_content_generation_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE autoblog_tenant_resource_usage gauge"), std::string::npos);
  EXPECT_EQ(value_of(text, "autoblog_content_generation_duration_seconds_count",
                     {{"tenant_id", "t1"}, {"tier", "growth"}}),
            1);
  EXPECT_DOUBLE_EQ(*value_of(text, "autoblog_content_generation_duration_seconds_sum",
                             {{"tenant_id", "t1"}, {"tier", "growth"}}),
                   12.5);
  EXPECT_EQ(value_of(text, "autoblog_content_generation_duration_seconds_count",
                     {{"tenant_id", "_other"}, {"tier", "starter"}}),
            1);
  EXPECT_EQ(value_of(text, "autoblog_tenant_resource_usage",
                     {{"tenant_id", "t1"}, {"resource_type", "storage_bytes"}}),
            1024);
  EXPECT_EQ(value_of(text, "autoblog_tenant_resource_usage",
                     {{"tenant_id", "_other"}, {"resource_type", "storage_bytes"}}),
            7);

  metrics.set_resource_usage("t1", "storage_bytes", 2048);  // a gauge: replaced, not added
  EXPECT_EQ(value_of(metrics.render(), "autoblog_tenant_resource_usage",
                     {{"tenant_id", "t1"}, {"resource_type", "storage_bytes"}}),
            2048);
}

// Each call finds its tenant's series (one lookup, then the thread's last tenant is
// remembered): alternating tenants, alternating Metrics instances, and an instance made after
// another was destroyed (perhaps at the same address) each count only into their own series.
TEST(Metrics, TenantSeriesFollowTheTenantAndTheInstance) {
  auto first = std::make_unique<Metrics>(10);
  Metrics second(10);
  for (int i = 0; i < 3; ++i) {
    first->count_rate_limit("a", true);
    second.count_rate_limit("a", false);
    first->count_rate_limit("b", i == 0);
    first->set_resource_usage("b", "requests_this_hour", i);
  }
  const Labels a_allowed{{"tenant_id", "a"}, {"decision", "allowed"}};
  const Labels a_denied{{"tenant_id", "a"}, {"decision", "denied"}};
  const Labels b_denied{{"tenant_id", "b"}, {"decision", "denied"}};
  auto text = first->render();
  EXPECT_EQ(value_of(text, "autoblog_rate_limit_decisions_total", a_allowed), 3);
  EXPECT_EQ(value_of(text, "autoblog_rate_limit_decisions_total", a_denied), std::nullopt);
  EXPECT_EQ(value_of(text, "autoblog_rate_limit_decisions_total", b_denied), 2);
  EXPECT_EQ(value_of(text, "autoblog_tenant_resource_usage",
                     {{"tenant_id", "b"}, {"resource_type", "requests_this_hour"}}),
            2);
  EXPECT_EQ(value_of(second.render(), "autoblog_rate_limit_decisions_total", a_denied), 3);
  first.reset();
  Metrics third(10);
  third.count_rate_limit("b", false);
  EXPECT_EQ(value_of(third.render(), "autoblog_rate_limit_decisions_total", b_denied), 1);
}

TEST(Metrics, DbPoolGaugesAndTimeouts) {
  Metrics metrics;
  metrics.set_db_pool(10, 3, 2);
  metrics.count_db_pool_timeout();
  metrics.count_db_pool_timeout();
  std::string text = metrics.render();
  EXPECT_EQ(value_of(text, "autoblog_db_pool_connections", {{"state", "in_use"}}), 3);
  EXPECT_EQ(value_of(text, "autoblog_db_pool_connections", {{"state", "idle"}}), 7);
  EXPECT_EQ(value_of(text, "autoblog_db_pool_waiters", {}), 2);
  EXPECT_EQ(value_of(text, "autoblog_db_pool_acquire_timeouts_total", {}), 2);

  metrics.set_db_pool(4, 6, 0);  // a racy snapshot may see in_use > size: idle never underflows
  text = metrics.render();
  EXPECT_EQ(value_of(text, "autoblog_db_pool_connections", {{"state", "in_use"}}), 6);
  EXPECT_EQ(value_of(text, "autoblog_db_pool_connections", {{"state", "idle"}}), 0);
  EXPECT_EQ(value_of(text, "autoblog_db_pool_waiters", {}), 0);
}

TEST(Metrics, SharedReadTotalsFollowTheSnapshots) {
  Metrics metrics;
  metrics.set_db_shared_reads(100, 10, 2);
  metrics.set_db_shared_reads(250, 12, 2);
  metrics.set_db_shared_reads(240, 11, 1);  // behind what was shown: ignored
  std::string text = metrics.render();
  EXPECT_EQ(value_of(text, "autoblog_db_shared_read_statements_total", {}), 250);
  EXPECT_EQ(value_of(text, "autoblog_db_shared_read_writes_total", {}), 12);
  EXPECT_EQ(value_of(text, "autoblog_db_shared_read_connections_total", {}), 2);
}

TEST(Metrics, RedisClientTotalsFollowTheSnapshots) {
  Metrics metrics;
  EXPECT_EQ(value_of(metrics.render(), "autoblog_redis_commands_total", {}), 0);
  metrics.set_redis_client(40, 4);
  metrics.set_redis_client(90, 7);
  metrics.set_redis_client(80, 9);  // commands behind what was shown: that one is ignored
  std::string text = metrics.render();
  EXPECT_EQ(value_of(text, "autoblog_redis_commands_total", {}), 90);
  EXPECT_EQ(value_of(text, "autoblog_redis_writes_total", {}), 9);
}

TEST(Metrics, ConcurrentRecordingCountsExactly) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  Metrics metrics(3);
  const std::vector<std::string> tenants{"t0", "t1", "t2", "t3", "t4"};  // two overflow
  const std::vector<std::string> endpoints{"/v1/content", "/v1/content/{id}", "/v1/jobs/{id}"};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string& tenant = tenants[static_cast<std::size_t>(i + t) % tenants.size()];
        const std::string& endpoint = endpoints[static_cast<std::size_t>(i) % endpoints.size()];
        metrics.observe_request(tenant, i % 2 ? "POST" : "GET", endpoint, i % 7 ? 200 : 500,
                                0.001 * (i % 20));
        if (i % 100 == 0) (void)metrics.render();  // scrapes race with recording too
      }
    });
  }
  for (auto& th : threads) th.join();

  const std::string text = metrics.render();
  const auto [tenant_total, tenant_series] = total_of(text, "autoblog_tenant_requests_total");
  EXPECT_EQ(tenant_total, kThreads * kPerThread);
  EXPECT_EQ(tenant_series, 4 * 3 * 2);  // (3 kept + _other) x endpoints x statuses
  EXPECT_EQ(total_of(text, "autoblog_http_requests_total").first, kThreads * kPerThread);
  EXPECT_EQ(total_of(text, "autoblog_http_request_duration_seconds_count").first,
            kThreads * kPerThread);

  // Which three tenants won the race for a label is not fixed, but "_other" got exactly the
  // requests of the other two: each tenant gets kThreads * kPerThread / 5 requests.
  double other = 0;
  for (const Sample& s : parse(text))
    if (s.name == "autoblog_tenant_requests_total" && s.labels.at("tenant_id") == "_other")
      other += s.value;
  EXPECT_EQ(other, 2 * kThreads * kPerThread / 5);
}

}  // namespace
}  // namespace autoblog::observability
