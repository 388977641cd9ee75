#include "http/http_date.h"

#include <time.h>

#include <atomic>
#include <cstring>

namespace autoblog::http {

namespace {

constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void two_digits(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

// The sequence lock of http_date.h. 32 bytes of words hold the 29 bytes of a date.
struct Cache {
  std::atomic<std::uint64_t> seq{0};  // odd while a writer updates the words
  std::atomic<std::int64_t> second{-1};
  std::atomic<std::uint64_t> words[4] = {};
};

Cache cache;

std::int64_t coarse_now_seconds() {
  struct timespec ts {};
  // The coarse clock is read from the vDSO without a system call; its few milliseconds of
  // resolution are far below the Date header's one second.
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec);
}

}  // namespace

void format_http_date(std::int64_t unix_seconds, char* out) {
  // Days since the epoch to a civil date (H. Hinnant's algorithm, proleptic Gregorian).
  std::int64_t days = unix_seconds / 86400;
  std::int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const unsigned weekday = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01: Thursday
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;  // 1..12
  std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0) year = 0;
  if (year > 9999) year = 9999;
  const auto y = static_cast<unsigned>(year);

  std::memcpy(out, kDays[weekday], 3);
  out[3] = ',';
  out[4] = ' ';
  two_digits(out + 5, day);
  out[7] = ' ';
  std::memcpy(out + 8, kMonths[month - 1], 3);
  out[11] = ' ';
  two_digits(out + 12, y / 100);
  two_digits(out + 14, y % 100);
  out[16] = ' ';
  two_digits(out + 17, static_cast<unsigned>(secs / 3600));
  out[19] = ':';
  two_digits(out + 20, static_cast<unsigned>(secs / 60 % 60));
  out[22] = ':';
  two_digits(out + 23, static_cast<unsigned>(secs % 60));
  std::memcpy(out + 25, " GMT", 4);
}

void append_http_date(std::string& out) {
  const std::int64_t now = coarse_now_seconds();
  std::uint64_t words[4];
  std::uint64_t seq = cache.seq.load(std::memory_order_acquire);
  if ((seq & 1) == 0 && cache.second.load(std::memory_order_relaxed) == now) {
    for (int i = 0; i < 4; ++i) words[i] = cache.words[i].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (cache.seq.load(std::memory_order_relaxed) == seq) {
      out.append(reinterpret_cast<const char*>(words), kHttpDateSize);
      return;
    }
  }
  // A new second (or a writer at work): format, and publish unless another thread is already.
  char text[sizeof words] = {};
  format_http_date(now, text);
  out.append(text, kHttpDateSize);
  if ((seq & 1) == 0 &&
      cache.seq.compare_exchange_strong(seq, seq + 1, std::memory_order_acquire)) {
    std::memcpy(words, text, sizeof words);
    for (int i = 0; i < 4; ++i) cache.words[i].store(words[i], std::memory_order_relaxed);
    cache.second.store(now, std::memory_order_relaxed);
    cache.seq.store(seq + 2, std::memory_order_release);
  }
}

}  // namespace autoblog::http
