// Memory used by the in-process rate limiter for 100 000 tracked tenants (target <= 10 MB):
// VmRSS from /proc/self/status before and after one request per tenant. The tenant id strings
// are built before the first reading so only the limiter's own state is measured.
// Build: g++ -std=c++20 -O2 -Isrc bench/ratelimit_memory.cpp src/ratelimit/*.cpp
//        <asio impl object> -pthread     Run: ./ratelimit_memory [tenants]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ratelimit/in_process_rate_limiter.h"

namespace {

long vm_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  std::mt19937_64 rng(7);
  std::vector<std::string> ids;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    char buf[37];
    const std::uint64_t a = rng();
    const std::uint64_t b = rng();
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
                  static_cast<unsigned long long>(a >> 32),
                  static_cast<unsigned long long>(a >> 16 & 0xffff),
                  static_cast<unsigned long long>(a & 0xfff),
                  static_cast<unsigned long long>(b >> 48 & 0xfff),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    ids.emplace_back(buf);
  }

  const long before = vm_rss_kb();
  std::int64_t now = 1'000'000'000;
  autoblog::ratelimit::InProcessRateLimiter rl([&now] { return now; });
  for (const std::string& id : ids) rl.check_now(id, 500);
  const long after = vm_rss_kb();

  const double mb = static_cast<double>(after - before) / 1024.0;
  std::printf("tenants tracked: %zu\n", rl.tracked_tenants());
  std::printf("VmRSS before: %ld kB, after: %ld kB\n", before, after);
  std::printf("rate limiter state: %.2f MB (%.1f bytes/tenant), target <= 10 MB: %s\n", mb,
              static_cast<double>(after - before) * 1024.0 / static_cast<double>(n),
              mb <= 10.0 ? "OK" : "OVER");

  now += 3'601'000'000;  // an hour later every tenant is idle
  const std::size_t dropped = rl.sweep();
  std::printf("after an idle hour, sweep dropped %zu; still tracked: %zu\n", dropped,
              rl.tracked_tenants());
  return mb <= 10.0 ? 0 : 1;
}
