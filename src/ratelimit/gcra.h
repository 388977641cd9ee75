#pragma once
// GCRA (generic cell rate algorithm) for per-tenant rate limits (docs/api.md): a
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

// A TAT measured with another limit's emission interval, re-expressed for `requests_per_hour`
// when an operator changes the limit. The backlog (TAT − now) is either kept as the same
// fraction of the burst window (limit × T, about one hour for every limit) or as the same
// number of requests (scaled by T_new / T_old), whichever leaves the tenant more room:
//   - lowered: the fraction is kept. A growth tenant that used 90 of 2000 (4.5 %) and is lowered
//     to 5/h has used 4.5 % of 5, not 90 requests (which would lock it out for 17 hours);
//   - raised: the count is kept. A starter tenant that used all of its 500 and is raised to
//     2000 has 1500 left at once, instead of waiting for its old backlog to drain.
// `stored_limit` is the limit the TAT was computed with (<= 0: unknown, TAT kept as is).
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
