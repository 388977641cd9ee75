#include "jobs/job.h"

#include <algorithm>

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
  return std::find(kJobStates.begin(), kJobStates.end(), text) != kJobStates.end();
}

bool is_job_kind(std::string_view text) {
  return std::find(kJobKinds.begin(), kJobKinds.end(), text) != kJobKinds.end();
}

}  // namespace autoblog::jobs
