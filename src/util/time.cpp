#include "util/time.h"

#include <cctype>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

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

namespace {
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

void append_rfc3339_from_postgres(std::string& out, std::string_view pg) {
  auto bad = [&]() -> std::invalid_argument {
    return std::invalid_argument("unexpected timestamp text from the database");
  };
  if (pg.ends_with(" BC")) {
    out += format(kMinMicros, 6);
    return;
  }
  auto space = pg.find(' ');
  if (space == std::string_view::npos) throw bad();
  if (space > 10) {  // a year of five or more digits
    if (!all_digits(pg.substr(0, space - 6))) throw bad();
    out += format(kMaxMicros, 6);
    return;
  }
  // "YYYY-MM-DD HH:MM:SS" then an optional ".f{1,6}" then "+00".
  std::string_view date = pg.substr(0, 10), time = pg.substr(11);
  if (space != 10 || date[4] != '-' || date[7] != '-' || !all_digits(date.substr(0, 4)) ||
      !all_digits(date.substr(5, 2)) || !all_digits(date.substr(8, 2)) || time.size() < 11 ||
      time[2] != ':' || time[5] != ':' || !all_digits(time.substr(0, 2)) ||
      !all_digits(time.substr(3, 2)) || !all_digits(time.substr(6, 2)) || !time.ends_with("+00"))
    throw bad();
  std::string_view fraction = time.substr(8, time.size() - 8 - 3);
  if (!fraction.empty()) {
    if (fraction[0] != '.' || fraction.size() > 7 || !all_digits(fraction.substr(1))) throw bad();
    fraction.remove_prefix(1);
  }
  out += date;
  out += 'T';
  out += time.substr(0, 8);
  out += '.';
  out += fraction;
  out.append(6 - fraction.size(), '0');
  out += 'Z';
}

std::string rfc3339_from_postgres(std::string_view pg_timestamptz) {
  std::string out;
  out.reserve(27);
  append_rfc3339_from_postgres(out, pg_timestamptz);
  return out;
}

// RFC 3339 date-time (the database checks the calendar): YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM).
bool looks_like_rfc3339(std::string_view s) {
  auto digits = [&](std::size_t from, std::size_t n) {
    if (from + n > s.size()) return false;
    for (std::size_t i = from; i < from + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  if (s.size() < 20 || !digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' ||
      !digits(8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' ||
      !digits(14, 2) || s[16] != ':' || !digits(17, 2))
    return false;
  std::size_t i = 19;
  if (s[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  if (i == s.size() - 1 && (s[i] == 'Z' || s[i] == 'z')) return true;
  return i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(i + 1, 2) && s[i + 3] == ':' &&
         digits(i + 4, 2);
}


}  // namespace autoblog::util
