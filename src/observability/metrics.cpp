#include "observability/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "observability/log.h"
#include "util/http_method.h"
#include "util/string_hash.h"

namespace autoblog::observability {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// API latencies: sub-millisecond cache hits up to requests that hit the 10 s deadline.
const Histogram::BucketBoundaries kHttpBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
// Content generation calls an AI provider: seconds to minutes.
const Histogram::BucketBoundaries kGenerationBuckets{0.1, 0.25, 0.5, 1,   2.5, 5,  10,
                                                     20,  30,   60,  120, 300, 600};

using util::StringHash;  // the hot path looks a key up by string_view without allocating

// Builds a cache key from label values. Each part is length-prefixed so that no choice of
// values (even ones containing a would-be separator) makes two tuples collide.
template <typename... Parts>
std::string_view make_key(std::string& out, const Parts&... parts) {
  out.clear();
  auto append = [&out](std::string_view part) {
    char len[24];
    auto [end, ec] = std::to_chars(len, len + sizeof len, part.size());
    (void)ec;  // cannot fail: the buffer holds any size_t
    out.append(len, end);
    out.push_back(':');
    out.append(part);
  };
  (append(parts), ...);
  return out;
}

// One reusable buffer per thread: after warm-up, building a key allocates nothing.
std::string& key_buffer() {
  thread_local std::string buffer;
  return buffer;
}

// Maps a label tuple key to the prometheus metric(s) recorded for it. prometheus::Family::Add
// locks and builds a std::map of labels on every call; this cache makes that a one-time cost per
// tuple, leaving the steady state a hash lookup under a shared lock.
template <typename T>
class SeriesCache {
 public:
  template <typename Make>
  T get(std::string_view key, Make&& make) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    std::unique_lock lock(mutex_);
    if (auto it = map_.find(key); it != map_.end()) return it->second;  // lost a race
    T value = make();  // before emplace: if it throws, no half-made entry is left behind
    map_.emplace(std::string(key), value);
    return value;
  }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<std::string, T, StringHash, std::equal_to<>> map_;
};

// One tenant's series, reached with one lookup per call instead of one per metric (each of
// which hashed a key built from the tenant id under a shared lock: with a thousand tenants in
// turn, those lookups were a visible share of a read's CPU). The pointers are series owned by
// the registry; the short lists are guarded by `mutex`, so only calls for one tenant contend.
struct TenantSeries {
  explicit TenantSeries(std::string l) : label(std::move(l)) {}
  const std::string label;  // the tenant id, or "_other" past the cap
  std::mutex mutex;
  Counter* allowed = nullptr;  // rate-limit decisions
  Counter* denied = nullptr;
  struct Requests {
    std::string endpoint;
    unsigned status;
    Counter* counter;
  };
  std::vector<Requests> requests;
  std::vector<std::pair<std::string, Gauge*>> resources;
};

// The tenant-label cap of docs/architecture.md: the first `max` tenants seen get series of their
// own, for the life of the process (so a tenant's series never switch label mid-way); the rest
// share the "_other" series. Entries are never erased, so references stay valid.
class TenantSeriesMap {
 public:
  explicit TenantSeriesMap(std::size_t max)
      : max_(max), other_(std::string(Metrics::kOtherTenant)) {}

  TenantSeries& of(std::string_view tenant_id) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = map_.find(tenant_id); it != map_.end()) return *it->second;
      if (map_.size() >= max_) return other_;
    }
    std::unique_lock lock(mutex_);
    if (auto it = map_.find(tenant_id); it != map_.end()) return *it->second;
    if (map_.size() >= max_) return other_;
    auto series = std::make_unique<TenantSeries>(std::string(tenant_id));
    return *map_.emplace(std::string(tenant_id), std::move(series)).first->second;
  }

 private:
  const std::size_t max_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<TenantSeries>, StringHash, std::equal_to<>> map_;
  TenantSeries other_;
};

// The series of the tenant this thread recorded last: the rate limiter's two calls of a request
// come one after the other, so the second costs a compare instead of a lookup. Keyed by the
// Metrics instance's serial number as well (never reused, unlike its address).
struct LastTenant {
  std::uint64_t metrics = 0;
  std::string tenant_id;
  TenantSeries* series = nullptr;
};

std::atomic<std::uint64_t> metrics_serials{0};

// Brings a counter that mirrors a running total kept elsewhere up to that total (a total
// behind what is shown, which never happens within one process, is ignored).
void raise_to(Counter& counter, double total) {
  const double shown = counter.Value();
  if (total > shown) counter.Increment(total - shown);
}

struct HttpSeries {
  Histogram* duration;
  Counter* requests;
};

// A counter without labels (a family of one series).
Counter& unlabelled_counter(prometheus::Registry& registry, const std::string& name,
                            const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

struct Metrics::Impl {
  explicit Impl(std::size_t max_tenants) : tenants(max_tenants) {}

  // Declared first: the families below are owned by, and registered in, the registry.
  prometheus::Registry registry;

  Family<Counter>& tenant_requests =
      prometheus::BuildCounter()
          .Name("autoblog_tenant_requests_total")
          .Help("Tenant-API requests by tenant, route template and HTTP status")
          .Register(registry);
  Family<Histogram>& http_duration = prometheus::BuildHistogram()
                                         .Name("autoblog_http_request_duration_seconds")
                                         .Help("HTTP request latency by method and route template")
                                         .Register(registry);
  Family<Counter>& http_requests = prometheus::BuildCounter()
                                       .Name("autoblog_http_requests_total")
                                       .Help("HTTP requests by method, route template and status")
                                       .Register(registry);
  Family<Histogram>& generation_duration =
      prometheus::BuildHistogram()
          .Name("autoblog_content_generation_duration_seconds")
          .Help("Content generation time by tenant and subscription tier")
          .Register(registry);
  Family<Gauge>& resource_usage = prometheus::BuildGauge()
                                      .Name("autoblog_tenant_resource_usage")
                                      .Help("Current resource usage by tenant and resource type")
                                      .Register(registry);
  Family<Gauge>& pool_connections = prometheus::BuildGauge()
                                        .Name("autoblog_db_pool_connections")
                                        .Help("Database pool connections by state")
                                        .Register(registry);
  Gauge& pool_in_use = pool_connections.Add({{"state", "in_use"}});
  Gauge& pool_idle = pool_connections.Add({{"state", "idle"}});
  Gauge& pool_waiters = prometheus::BuildGauge()
                            .Name("autoblog_db_pool_waiters")
                            .Help("Requests waiting to acquire a database connection")
                            .Register(registry)
                            .Add({});
  Counter& pool_timeouts = unlabelled_counter(registry, "autoblog_db_pool_acquire_timeouts_total",
                                              "Database connection acquires that timed out");

  Counter& shared_read_statements =
      unlabelled_counter(registry, "autoblog_db_shared_read_statements_total",
                         "Statements run on the shared read connections");
  Counter& shared_read_writes = unlabelled_counter(
      registry, "autoblog_db_shared_read_writes_total",
      "Writes to the shared read connections, each carrying every statement queued");
  Counter& shared_read_connections = unlabelled_counter(
      registry, "autoblog_db_shared_read_connections_total", "Shared read connections opened");
  Counter& redis_commands = unlabelled_counter(registry, "autoblog_redis_commands_total",
                                               "Commands sent to Redis (a script call is one)");
  Counter& redis_writes =
      unlabelled_counter(registry, "autoblog_redis_writes_total",
                         "Writes to Redis connections, each carrying every command queued");

  Family<Counter>& rate_limit_decisions =
      prometheus::BuildCounter()
          .Name("autoblog_rate_limit_decisions_total")
          .Help("Rate-limit decisions by tenant and outcome")
          .Register(registry);
  Counter& rate_limit_fallbacks =
      unlabelled_counter(registry, "autoblog_rate_limit_fallbacks_total",
                         "Rate-limit decisions made in-process because Redis was unreachable");

  // Mirrors log_dropped_total() (kept by the logger, which must not depend on metrics), brought
  // up to date on every render.
  Counter& log_dropped = unlabelled_counter(registry, "autoblog_log_messages_dropped_total",
                                            "Log lines dropped because the log queue was full");
  // One update at a time moves the counters that mirror running totals kept elsewhere (the
  // shared reads, the Redis client, the logger's drops).
  std::mutex totals_mutex;

  Family<Histogram>& job_duration = prometheus::BuildHistogram()
                                        .Name("autoblog_job_duration_seconds")
                                        .Help("Job attempt duration by kind")
                                        .Register(registry);
  Family<Counter>& jobs_finished = prometheus::BuildCounter()
                                       .Name("autoblog_jobs_finished_total")
                                       .Help("Job attempts by kind and outcome (retried and dead "
                                             "count retries and dead jobs)")
                                       .Register(registry);
  Histogram& job_start_latency =
      prometheus::BuildHistogram()
          .Name("autoblog_job_start_latency_seconds")
          .Help("Time from a job becoming runnable to a worker claiming it")
          .Register(registry)
          .Add({}, kHttpBuckets);
  Histogram& job_claim = prometheus::BuildHistogram()
                             .Name("autoblog_job_claim_duration_seconds")
                             .Help("Duration of one claim statement")
                             .Register(registry)
                             .Add({}, kHttpBuckets);
  Counter& job_lease_expiries =
      unlabelled_counter(registry, "autoblog_job_lease_expiries_total",
                         "Running jobs taken back after their lease expired");
  Family<Gauge>& job_queue_depth = prometheus::BuildGauge()
                                       .Name("autoblog_job_queue_depth")
                                       .Help("Unfinished jobs by priority and state")
                                       .Register(registry);
  Family<Gauge>& jobs_running = prometheus::BuildGauge()
                                    .Name("autoblog_jobs_running")
                                    .Help("Running jobs by subscription tier")
                                    .Register(registry);
  Family<Counter>& scheduler_runs =
      prometheus::BuildCounter()
          .Name("autoblog_scheduler_runs_total")
          .Help("Scheduled trend discovery: periods whose job was enqueued, attempts that failed")
          .Register(registry);
  Counter& scheduler_enqueued = scheduler_runs.Add({{"outcome", "enqueued"}});
  Counter& scheduler_failed = scheduler_runs.Add({{"outcome", "failed"}});

  TenantSeries& tenant(std::string_view tenant_id) {
    thread_local LastTenant last;
    if (last.metrics == serial && last.tenant_id == tenant_id) return *last.series;
    TenantSeries& series = tenants.of(tenant_id);
    last.metrics = serial;
    last.tenant_id.assign(tenant_id);
    last.series = &series;
    return series;
  }

  const std::uint64_t serial = ++metrics_serials;
  TenantSeriesMap tenants;
  struct JobSeries {
    Histogram* duration;
    Counter* finished;
  };
  SeriesCache<JobSeries> job_series;
  SeriesCache<HttpSeries> http_series;
  SeriesCache<Histogram*> generation_series;
};

Metrics::Metrics(std::size_t max_tenant_label_values)
    : impl_(std::make_unique<Impl>(max_tenant_label_values)) {}

Metrics::~Metrics() = default;

void Metrics::observe_request(std::string_view tenant_id, std::string_view raw_method,
                              std::string_view endpoint, unsigned status, double seconds) {
  const std::string_view method = util::http_method_label(raw_method);
  char status_buf[16];
  auto [status_end, ec] = std::to_chars(status_buf, status_buf + sizeof status_buf, status);
  (void)ec;  // cannot fail: the buffer holds any unsigned
  const std::string_view status_str(status_buf, static_cast<std::size_t>(status_end - status_buf));

  std::string& key = key_buffer();
  // One lookup serves both HTTP series; Family::Add returns the existing histogram when several
  // statuses share a (method, endpoint) pair.
  const HttpSeries http = impl_->http_series.get(make_key(key, method, endpoint, status_str), [&] {
    return HttpSeries{
        &impl_->http_duration.Add(
            {{"method", std::string(method)}, {"endpoint", std::string(endpoint)}}, kHttpBuckets),
        &impl_->http_requests.Add({{"method", std::string(method)},
                                   {"endpoint", std::string(endpoint)},
                                   {"status", std::string(status_str)}})};
  });
  http.duration->Observe(seconds);
  http.requests->Increment();

  if (tenant_id.empty()) return;
  TenantSeries& t = impl_->tenant(tenant_id);
  Counter* counter = nullptr;
  {
    std::lock_guard lock(t.mutex);
    auto it = std::find_if(t.requests.begin(), t.requests.end(), [&](const auto& r) {
      return r.status == status && r.endpoint == endpoint;
    });
    if (it != t.requests.end()) {
      counter = it->counter;
    } else {
      counter = &impl_->tenant_requests.Add({{"tenant_id", t.label},
                                             {"endpoint", std::string(endpoint)},
                                             {"status", std::string(status_str)}});
      t.requests.push_back({std::string(endpoint), status, counter});
    }
  }
  counter->Increment();
}

void Metrics::set_db_pool(std::size_t size, std::size_t in_use, std::size_t waiting) {
  impl_->pool_in_use.Set(static_cast<double>(in_use));
  impl_->pool_idle.Set(in_use >= size ? 0.0 : static_cast<double>(size - in_use));
  impl_->pool_waiters.Set(static_cast<double>(waiting));
}

void Metrics::set_db_shared_reads(std::uint64_t statements, std::uint64_t writes,
                                  std::uint64_t connections) {
  std::lock_guard lock(impl_->totals_mutex);
  raise_to(impl_->shared_read_statements, static_cast<double>(statements));
  raise_to(impl_->shared_read_writes, static_cast<double>(writes));
  raise_to(impl_->shared_read_connections, static_cast<double>(connections));
}

void Metrics::set_redis_client(std::uint64_t commands, std::uint64_t writes) {
  std::lock_guard lock(impl_->totals_mutex);
  raise_to(impl_->redis_commands, static_cast<double>(commands));
  raise_to(impl_->redis_writes, static_cast<double>(writes));
}

void Metrics::count_db_pool_timeout() {
  impl_->pool_timeouts.Increment();
}

void Metrics::count_rate_limit(std::string_view tenant_id, bool allowed) {
  TenantSeries& t = impl_->tenant(tenant_id);
  Counter* counter = nullptr;
  {
    std::lock_guard lock(t.mutex);
    Counter*& slot = allowed ? t.allowed : t.denied;
    if (!slot)
      slot = &impl_->rate_limit_decisions.Add(
          {{"tenant_id", t.label}, {"decision", allowed ? "allowed" : "denied"}});
    counter = slot;
  }
  counter->Increment();
}

void Metrics::count_rate_limit_fallback() { impl_->rate_limit_fallbacks.Increment(); }

void Metrics::observe_generation(std::string_view tenant_id, std::string_view tier,
                                 double seconds) {
  const std::string_view tenant = impl_->tenant(tenant_id).label;
  Histogram* histogram = impl_->generation_series.get(make_key(key_buffer(), tenant, tier), [&] {
    return &impl_->generation_duration.Add(
        {{"tenant_id", std::string(tenant)}, {"tier", std::string(tier)}}, kGenerationBuckets);
  });
  histogram->Observe(seconds);
}

void Metrics::set_resource_usage(std::string_view tenant_id, std::string_view resource_type,
                                 double value) {
  TenantSeries& t = impl_->tenant(tenant_id);
  Gauge* gauge = nullptr;
  {
    std::lock_guard lock(t.mutex);
    auto it = std::find_if(t.resources.begin(), t.resources.end(),
                           [&](const auto& r) { return r.first == resource_type; });
    if (it != t.resources.end()) {
      gauge = it->second;
    } else {
      gauge = &impl_->resource_usage.Add(
          {{"tenant_id", t.label}, {"resource_type", std::string(resource_type)}});
      t.resources.emplace_back(std::string(resource_type), gauge);
    }
  }
  gauge->Set(value);
}

void Metrics::observe_job(std::string_view kind, std::string_view outcome, double seconds) {
  auto series = impl_->job_series.get(make_key(key_buffer(), kind, outcome), [&] {
    return Impl::JobSeries{
        &impl_->job_duration.Add({{"kind", std::string(kind)}}, kGenerationBuckets),
        &impl_->jobs_finished.Add({{"kind", std::string(kind)}, {"outcome", std::string(outcome)}})};
  });
  series.duration->Observe(seconds);
  series.finished->Increment();
}

void Metrics::observe_job_start_latency(double seconds) { impl_->job_start_latency.Observe(seconds); }
void Metrics::observe_job_claim(double seconds) { impl_->job_claim.Observe(seconds); }
void Metrics::count_job_lease_expiries(double n) { impl_->job_lease_expiries.Increment(n); }

void Metrics::set_job_queue_depth(std::string_view priority, std::string_view state, double n) {
  impl_->job_queue_depth.Add({{"priority", std::string(priority)}, {"state", std::string(state)}})
      .Set(n);
}

void Metrics::count_scheduler_run(bool enqueued) {
  (enqueued ? impl_->scheduler_enqueued : impl_->scheduler_failed).Increment();
}

void Metrics::set_jobs_running(std::string_view tier, double n) {
  impl_->jobs_running.Add({{"tier", std::string(tier)}}).Set(n);
}

std::string Metrics::tenant_label(std::string_view tenant_id) {
  if (tenant_id.empty()) return {};
  return impl_->tenant(tenant_id).label;
}

std::string Metrics::render() const {
  {
    std::lock_guard lock(impl_->totals_mutex);
    raise_to(impl_->log_dropped, static_cast<double>(log_dropped_total()));
  }
  return prometheus::TextSerializer().Serialize(impl_->registry.Collect());
}

}  // namespace autoblog::observability
