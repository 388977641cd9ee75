// GCRA arithmetic; see gcra.h for the contract.
#include "ratelimit/gcra.h"

#include <algorithm>

namespace autoblog::ratelimit {
namespace {

// ceil(us / 1 s) for us >= 0; headers carry whole seconds and must never promise too early.
std::int64_t ceil_seconds(std::int64_t us) {
  return us <= 0 ? 0 : (us + 999'999) / 1'000'000;
}

}  // namespace

std::int64_t emission_interval_us(std::int64_t requests_per_hour) {
  const std::int64_t limit = std::max<std::int64_t>(requests_per_hour, 1);
  // Limits above one per µs cannot be represented; 1 µs keeps the algorithm well defined.
  return std::max<std::int64_t>(kMicrosPerHour / limit, 1);
}

std::int64_t rescale_tat(std::int64_t tat_us, std::int64_t stored_limit, std::int64_t now_us,
                         std::int64_t requests_per_hour) {
  if (stored_limit <= 0 || stored_limit == requests_per_hour || tat_us <= now_us) return tat_us;
  const std::int64_t l_old = std::max<std::int64_t>(stored_limit, 1);
  const std::int64_t l_new = std::max<std::int64_t>(requests_per_hour, 1);
  const std::int64_t t_old = emission_interval_us(l_old);
  const std::int64_t t_new = emission_interval_us(l_new);
  const auto backlog = static_cast<__int128>(tat_us - now_us);
  // Same fraction of the burst window (limit × T), and same number of requests (T_new / T_old).
  const auto same_fraction = backlog * (static_cast<__int128>(l_new) * t_new) /
                             (static_cast<__int128>(l_old) * t_old);
  const auto same_count = backlog * t_new / t_old;
  return now_us + static_cast<std::int64_t>(std::min(same_fraction, same_count));
}

GcraResult gcra(std::int64_t tat_us, std::int64_t now_us, std::int64_t requests_per_hour) {
  const std::int64_t limit = std::max<std::int64_t>(requests_per_hour, 1);
  const std::int64_t t = emission_interval_us(limit);
  const std::int64_t tau = (limit - 1) * t;  // burst tolerance: limit cells at one instant
  const std::int64_t tat = std::max(tat_us, now_us);
  const std::int64_t backlog = tat - now_us;  // >= 0: how far ahead of schedule the tenant is

  GcraResult r;
  r.decision.limit = limit;
  if (backlog > tau) {
    r.allowed = false;
    r.new_tat_us = tat;  // a denied request does not consume a cell
    r.decision.allowed = false;
    r.decision.remaining = 0;
    r.decision.reset_seconds = ceil_seconds(backlog);
    r.decision.retry_after_seconds = std::max<std::int64_t>(ceil_seconds(backlog - tau), 1);
    return r;
  }
  r.allowed = true;
  r.new_tat_us = tat + t;
  r.decision.allowed = true;
  // Cells still available at this instant: the slack left under τ, in whole intervals.
  r.decision.remaining = std::max<std::int64_t>((tau - backlog) / t, 0);
  r.decision.reset_seconds = ceil_seconds(r.new_tat_us - now_us);
  r.decision.retry_after_seconds = 0;
  return r;
}

}  // namespace autoblog::ratelimit
