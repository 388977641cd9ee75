#pragma once
// Prometheus metrics of docs/architecture.md: the seed's three per-tenant series (exact names), HTTP latency
// and request counters, and database-pool gauges, rendered in the text exposition format.
//
// Thread-safety: every member function may be called concurrently from any thread. Recording is
// on the hot path of every request, so each label tuple's prometheus metric is looked up once,
// cached, and afterwards found under a shared (reader) lock.
// Ownership: one instance, owned by the composition root and passed by reference to whoever
// records or renders; it must outlive them. Not copyable or movable.
//
// Cardinality: tenant ids are user-created, so they are the one unbounded label. Only the first
// `max_tenant_label_values` distinct tenant ids get their own label value; later ones are
// recorded as tenant_id="_other" so the registry cannot grow without bound. The other labels must
// come from bounded sets: `endpoint` is the route template ("/v1/content/{id}", or a fixed value
// such as "unmatched" for 404s), never the raw path; `method` a known HTTP verb.
//
// Prometheus headers stay out of this file (pimpl) because it is included widely.
#include <cstddef>
#include <memory>
#include <cstdint>
#include <string>
#include <string_view>

namespace autoblog::observability {

class Metrics {
 public:
  // Label value given to tenants beyond the cap.
  static constexpr std::string_view kOtherTenant = "_other";

  explicit Metrics(std::size_t max_tenant_label_values = 1000);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished HTTP request. Always observes
  // autoblog_http_request_duration_seconds{method,endpoint} and increments
  // autoblog_http_requests_total{method,endpoint,status}; when `tenant_id` is non-empty (a
  // tenant-API request) also increments autoblog_tenant_requests_total{tenant_id,endpoint,status}.
  // `status` is rendered as its decimal code.
  void observe_request(std::string_view tenant_id, std::string_view method,
                       std::string_view endpoint, unsigned status, double seconds);

  // Snapshot of the shared database pool: autoblog_db_pool_connections{state="in_use"|"idle"}
  // and autoblog_db_pool_waiters. `in_use` greater than `size` is clamped (idle = 0).
  void set_db_pool(std::size_t size, std::size_t in_use, std::size_t waiting);
  // autoblog_db_pool_acquire_timeouts_total: an acquire gave up (the request got a 503).
  void count_db_pool_timeout();
  // The shared read connections' running totals (db/shared_reads.h), brought up to date before
  // a render: autoblog_db_shared_read_statements_total, autoblog_db_shared_read_writes_total
  // (statements ÷ writes = how many go out together) and
  // autoblog_db_shared_read_connections_total (opened; more than the I/O threads = reconnects).
  // Totals that went backwards (never, for one process) are ignored.
  void set_db_shared_reads(std::uint64_t statements, std::uint64_t writes,
                           std::uint64_t connections);

  // The Redis client's running totals (redis::ClientStats), brought up to date before a render:
  // autoblog_redis_commands_total and autoblog_redis_writes_total (commands ÷ writes = how many
  // go out together). Totals that went backwards are ignored.
  void set_redis_client(std::uint64_t commands, std::uint64_t writes);

  // autoblog_rate_limit_decisions_total{tenant_id,decision="allowed"|"denied"}.
  void count_rate_limit(std::string_view tenant_id, bool allowed);
  // autoblog_rate_limit_fallbacks_total: decisions made in-process because Redis was unreachable.
  void count_rate_limit_fallback();

  // autoblog_content_generation_duration_seconds{tenant_id,tier}.
  void observe_generation(std::string_view tenant_id, std::string_view tier, double seconds);
  // autoblog_tenant_resource_usage{tenant_id,resource_type}. Tenants folded into "_other" share
  // one gauge, so there the last writer wins; this is the price of the cap.
  void set_resource_usage(std::string_view tenant_id, std::string_view resource_type, double value);

  // --- the job queue (label values come from fixed sets: kinds, outcomes, priorities, tiers) ---
  // A job attempt ended: autoblog_job_duration_seconds{kind} and
  // autoblog_jobs_finished_total{kind,outcome}; outcome is succeeded, retried, dead, failed,
  // snoozed, released or lease_lost.
  void observe_job(std::string_view kind, std::string_view outcome, double seconds);
  // A claimed job waited this long from runnable to claimed (autoblog_job_start_latency_seconds),
  // and a claim statement took this long (autoblog_job_claim_duration_seconds).
  void observe_job_start_latency(double seconds);
  void observe_job_claim(double seconds);
  // autoblog_job_lease_expiries_total: jobs the janitor took back from a lost worker.
  void count_job_lease_expiries(double n);
  // Sampled from the database: autoblog_job_queue_depth{priority,state} and
  // autoblog_jobs_running{tier}.
  void set_job_queue_depth(std::string_view priority, std::string_view state, double n);
  void set_jobs_running(std::string_view tier, double n);
  // autoblog_scheduler_runs_total{outcome}: a scheduled discovery period was enqueued
  // ("enqueued"), or an attempt to claim and enqueue one failed ("failed"; tried again later).
  void count_scheduler_run(bool enqueued);

  // The label value recorded for `tenant_id`: itself while fewer than the cap have been seen (or
  // it was seen before), otherwise "_other". An empty id stays empty and takes no slot.
  std::string tenant_label(std::string_view tenant_id);

  // Every metric in the Prometheus text exposition format (for GET /metrics), including
  // autoblog_log_messages_dropped_total, read from observability::log_dropped_total() here.
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autoblog::observability
