#include "jobs/job.h"

#include <array>

namespace autoblog::jobs {

std::string_view to_string(Priority p) {
  switch (p) {
    case Priority::kHigh: return "high";
    case Priority::kNormal: return "normal";
    case Priority::kLow: return "low";
  }
  return "normal";
}

bool is_job_state(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kStates{"queued", "running", "succeeded",
                                                           "failed", "dead",    "cancelled"};
  for (auto s : kStates)
    if (s == text) return true;
  return false;
}

}  // namespace autoblog::jobs
