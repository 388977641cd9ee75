#pragma once
// When daily allowances (max_daily_content) start over: midnight UTC, the day boundary of
// autoblog_core.usage_daily. One definition for the 429's Retry-After and message and for
// GET /v1/usage. Pure function: thread-safe.
#include <chrono>
#include <cstdint>
#include <string>

namespace autoblog::jobs {

struct DailyReset {
  std::string at;                // RFC 3339, the API's form
  std::int64_t seconds_left = 0;  // whole seconds until then, at least 1
};

DailyReset next_daily_reset(
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace autoblog::jobs
