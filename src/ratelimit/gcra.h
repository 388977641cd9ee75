#pragma once
// GCRA (generic cell rate algorithm) for per-tenant rate limits (DESIGN §2 "Rate limits"): a
// sustained `requests_per_hour` with a burst of the same size. The whole state of a tenant is one
// number, its theoretical arrival time (TAT). This is the pure decision function shared by the
// in-process limiter; the Redis Lua script implements the same arithmetic so both agree.
// No I/O and no clock of its own (the caller passes `now`), hence trivially thread-safe and
// testable with any timeline. Owns nothing.
#include <cstdint>

#include "ratelimit/rate_limiter.h"

namespace autoblog::ratelimit {

// One hour in microseconds: every time here is in µs so that the emission interval of even the
// largest tier (10 000/h → 360 000 µs) is an exact integer.
inline constexpr std::int64_t kMicrosPerHour = 3'600'000'000;

struct GcraResult {
  bool allowed = false;
  std::int64_t new_tat_us = 0;  // the TAT to store (unchanged when denied)
  Decision decision;
};

// A TAT measured with another limit's emission interval, re-expressed for `requests_per_hour`:
// the backlog (TAT − now) stands for a number of requests already counted, which must stay the
// same when an operator changes the limit, so it is scaled by T_new / T_old. Without this a
// raised limit would only apply after the old backlog had drained.
std::int64_t rescale_tat(std::int64_t tat_us, std::int64_t stored_limit, std::int64_t now_us,
                         std::int64_t requests_per_hour);

// Emission interval T in µs for `requests_per_hour` (clamped to >= 1). Rounded down so that
// `limit * T <= 1 h`: after an hour idle the full burst is back, and exactly `limit` requests
// pass in one burst. The sustained rate is at most one request per hour above the nominal one.
std::int64_t emission_interval_us(std::int64_t requests_per_hour);

// Decides one request arriving at `now_us` for a tenant whose stored TAT is `tat_us` (0 = never
// seen; any TAT <= now is equivalent to never seen). `requests_per_hour` <= 0 is treated as 1
// rather than dividing by zero: the tier configuration is validated elsewhere.
GcraResult gcra(std::int64_t tat_us, std::int64_t now_us, std::int64_t requests_per_hour);

}  // namespace autoblog::ratelimit
