// feed_date (feed.h): the two date formats feeds use, RFC 822 (RSS) and RFC 3339 (Atom).
#include <chrono>
#include <cstdint>

#include "content/trends/feed.h"
#include "util/time.h"

namespace autoblog::content::trends {

namespace {

namespace chr = std::chrono;

// A cursor over the text; every reader returns false without moving on a mismatch.
struct Reader {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i >= s.size(); }
  void spaces() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
  }
  bool number(int min_digits, int max_digits, int& out) {
    int n = 0;
    int v = 0;
    while (i + n < s.size() && n < max_digits && s[i + n] >= '0' && s[i + n] <= '9')
      v = v * 10 + (s[i + n++] - '0');
    if (n < min_digits) return false;
    i += n;
    out = v;
    return true;
  }
  bool literal(char c) {
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  }
  std::string_view word() {
    const std::size_t b = i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) ++i;
    return s.substr(b, i - b);
  }
};

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if ((a[k] | 0x20) != (b[k] | 0x20)) return false;
  return true;
}

std::optional<chr::sys_time<chr::microseconds>> at(int y, int mo, int d, int h, int mi, int s,
                                                   int micros, int offset_minutes) {
  const chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(mo)},
                                chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return chr::sys_days{ymd} + chr::hours{h} + chr::minutes{mi - offset_minutes} + chr::seconds{s} +
         chr::microseconds{micros};
}

// "[Tue,] 03 Jun 2008 11:05[:30] GMT|+0200|EST|..."
std::optional<chr::sys_time<chr::microseconds>> rfc822(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  Reader r{text};
  r.spaces();
  const std::size_t mark = r.i;
  if (!r.word().empty())
    r.spaces();  // the optional day name
  else
    r.i = mark;
  int d = 0, y = 0, h = 0, mi = 0, s = 0;
  if (!r.number(1, 2, d)) return std::nullopt;
  r.spaces();
  const std::string_view mon = r.word();
  int mo = 0;
  for (int k = 0; k < 12; ++k)
    if (mon.size() >= 3 && iequal(mon.substr(0, 3), kMonths[k])) mo = k + 1;
  if (mo == 0) return std::nullopt;
  r.spaces();
  const std::size_t year_at = r.i;
  if (!r.number(2, 4, y)) return std::nullopt;
  if (r.i - year_at == 2) y += y < 50 ? 2000 : 1900;  // RFC 822's two-digit years
  r.spaces();
  if (!r.number(1, 2, h) || !r.literal(':') || !r.number(2, 2, mi)) return std::nullopt;
  if (r.literal(':') && !r.number(2, 2, s)) return std::nullopt;
  r.spaces();
  int offset = 0;
  if (!r.done() && (r.s[r.i] == '+' || r.s[r.i] == '-')) {
    const int sign = r.s[r.i++] == '-' ? -1 : 1;
    int hhmm = 0;
    if (!r.number(4, 4, hhmm)) return std::nullopt;
    offset = sign * ((hhmm / 100) * 60 + hhmm % 100);
  } else {
    struct Zone {
      std::string_view name;
      int hours;
    };
    static constexpr Zone kZones[] = {{"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                                      {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    const std::string_view zone = r.word();
    for (const Zone& z : kZones)
      if (iequal(zone, z.name)) offset = z.hours * 60;
    // GMT, UT, UTC, Z, a military letter or nothing: read as UTC (RFC 2822 §4.3).
  }
  return at(y, mo, d, h, mi, s, 0, offset);
}

// "2008-06-03T11:05:30[.123][Z|+02:00]", or a date alone (midnight UTC).
std::optional<chr::sys_time<chr::microseconds>> rfc3339(std::string_view text) {
  Reader r{text};
  r.spaces();
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, micros = 0, offset = 0;
  if (!r.number(4, 4, y) || !r.literal('-') || !r.number(2, 2, mo) || !r.literal('-') ||
      !r.number(2, 2, d))
    return std::nullopt;
  if (r.done()) return at(y, mo, d, 0, 0, 0, 0, 0);
  if (!(r.literal('T') || r.literal('t') || r.literal(' '))) return std::nullopt;
  if (!r.number(2, 2, h) || !r.literal(':') || !r.number(2, 2, mi)) return std::nullopt;
  if (r.literal(':') && !r.number(2, 2, s)) return std::nullopt;
  if (r.literal('.')) {
    int digits = 0;
    while (!r.done() && r.s[r.i] >= '0' && r.s[r.i] <= '9') {
      if (digits++ < 6) micros = micros * 10 + (r.s[r.i] - '0');
      ++r.i;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  if (!(r.literal('Z') || r.literal('z'))) {
    if (r.done()) return at(y, mo, d, h, mi, s, micros, 0);
    const char sign_char = r.s[r.i];
    if (sign_char != '+' && sign_char != '-') return std::nullopt;
    ++r.i;
    int oh = 0, om = 0;
    if (!r.number(2, 2, oh)) return std::nullopt;
    r.literal(':');
    if (!r.number(2, 2, om)) return std::nullopt;
    offset = (sign_char == '-' ? -1 : 1) * (oh * 60 + om);
  }
  r.spaces();
  if (!r.done()) return std::nullopt;
  return at(y, mo, d, h, mi, s, micros, offset);
}

}  // namespace

std::optional<std::string> feed_date(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto t = rfc3339(text);
  if (!t) t = rfc822(text);
  if (!t) return std::nullopt;
  return util::format_rfc3339(chr::time_point_cast<chr::system_clock::duration>(*t));
}

}  // namespace autoblog::content::trends
