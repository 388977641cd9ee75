#include "util/time.h"

#include <algorithm>
#include <cstdio>

namespace autoblog::util {

namespace {

using namespace std::chrono;

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, in microseconds since the epoch.
constexpr std::int64_t kMinMicros = -62167219200LL * 1000000;
constexpr std::int64_t kMaxMicros = 253402300799LL * 1000000 + 999999;

// digits = 6 (API) or 3 (logs).
std::string format(std::int64_t micros, int digits) {
  micros = std::clamp(micros, kMinMicros, kMaxMicros);
  const sys_time<microseconds> t{microseconds{micros}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> time{t - day};
  long fraction = static_cast<long>(time.subseconds().count());
  if (digits == 3) fraction /= 1000;
  char buf[40];
  const int n = std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%0*ldZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
      static_cast<int>(time.seconds().count()), digits, fraction);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::int64_t to_micros(system_clock::time_point t) {
  // floor, not duration_cast: an instant before 1970 must not round up into the next second.
  return floor<microseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string format_rfc3339(system_clock::time_point t) {
  return format(to_micros(t), 6);
}

std::string format_rfc3339_unix(std::int64_t unix_seconds) {
  const std::int64_t secs = std::clamp(unix_seconds, kMinMicros / 1000000, kMaxMicros / 1000000);
  return format(secs * 1000000, 6);
}

std::string format_rfc3339_millis(system_clock::time_point t) {
  return format(to_micros(t), 3);
}

}  // namespace autoblog::util
