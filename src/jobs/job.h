#pragma once
// Jobs as the queue knows them (docs/jobs.md): kinds, priorities, states, what an enqueue asks
// for and what a worker claims. Plain value types; thread-compatible.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::jobs {

// The routing of the original design: generations high, trend discovery normal, maintenance low.
enum class Priority { kHigh = 0, kNormal = 1, kLow = 2 };
std::string_view to_string(Priority p);

inline constexpr std::array<std::string_view, 6> kJobStates{
    "queued", "running", "succeeded", "failed", "dead", "cancelled"};
bool is_job_state(std::string_view text);

inline constexpr std::string_view kGenerateContent = "generate_content";
inline constexpr std::string_view kDiscoverTrends = "discover_trends";
inline constexpr std::string_view kPublishContent = "publish_content";
// One publication (or removal) at one remote target (jobs/deliver_publication_handler.h).
inline constexpr std::string_view kDeliverPublication = "deliver_publication";
// An internal kind that does nothing (or what its payload asks, for tests and benchmarks); no
// route enqueues it.
inline constexpr std::string_view kNoop = "noop";
inline constexpr std::array<std::string_view, 5> kJobKinds{
    kGenerateContent, kDiscoverTrends, kPublishContent, kDeliverPublication, kNoop};
bool is_job_kind(std::string_view text);

struct NewJob {
  std::string kind;
  Priority priority = Priority::kNormal;
  std::string payload_json = "{}";
  std::optional<std::string> idempotency_key;
  int max_attempts = 5;
  std::chrono::milliseconds delay{0};  // run_at = now + delay
  // Counts against the tenant's max_concurrent_generations while running.
  bool capped = false;
};

// A job a worker holds: `claim` is the fencing value that every later write about it names.
struct ClaimedJob {
  std::string id;
  std::string tenant_id;
  std::string kind;
  Priority priority = Priority::kNormal;
  bool capped = false;
  std::string payload_json;
  int attempts = 0;  // including this one
  int max_attempts = 0;
  int claim = 0;
  double waited_seconds = 0;  // from runnable to claimed
};

}  // namespace autoblog::jobs
