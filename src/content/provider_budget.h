#pragma once
// ProviderBudget: requests/minute and tokens/minute per AI provider, shared by every worker
// process through PostgreSQL (autoblog_core.provider_budgets), checked BEFORE a provider call.
//
// The meters are GCRA (the generic cell rate algorithm: a token bucket kept as one timestamp,
// the "theoretical arrival time"), computed inside one UPDATE ... RETURNING per decision:
//   - requests: emission interval 60 s / rpm, tolerance `burst` requests. burst 1 (the default)
//     spaces calls evenly, so no 60-second window ever holds more than rpm calls — providers
//     often enforce per-minute limits over shorter slices, where a burst would be refused;
//   - tokens: a bucket one minute deep (the shape of the providers' own token limits); the
//     caller's estimate is charged up front and corrected by settle() once usage is known.
// Why GCRA in SQL rather than a bucket with a refill job or a log of calls: one row and one
// statement per decision (no cleanup, no per-call rows), exact under concurrency (the row lock
// orders the decisions and each sees the previous charge), and the wait for a refused caller
// falls straight out of the arithmetic. Why PostgreSQL rather than Redis: workers always have
// the database (Redis is optional), and a decision costs one round trip before a provider call
// that takes seconds.
//
// A refused acquire charges nothing and returns how long to wait: the job SNOOZES for that long
// (no attempt spent). report_rate_limited() records a provider's own 429 for every process.
// Providers without configured limits (the template provider) are not metered: every call is
// granted without touching the database. A metered provider whose limits are both 0 (the
// configured endpoint without AUTOBLOG_AI_REQUESTS_PER_MINUTE/TOKENS_PER_MINUTE) only honours
// 429s: its "blocked until" is read from the database at most once per `blocked_recheck`
// (default 1 s) and kept in memory in between, so another process's 429 reaches this one within
// that time (its own at once) without a database round trip per call.
//
// Thread-safe: the in-memory "blocked until" per provider is guarded by a mutex; the pool must
// outlive the budget.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "content/providers/settings.h"
#include "db/pool.h"

namespace autoblog::content {

struct BudgetDecision {
  bool granted = true;
  std::chrono::milliseconds retry_after{0};  // > 0 when refused
  explicit operator bool() const { return granted; }
};

class ProviderBudget {
 public:
  // `limits` by provider name; 0 in a field = that meter unlimited (a metered provider with both
  // 0 still honours report_rate_limited).
  ProviderBudget(db::Pool& pool, std::map<std::string, providers::ProviderLimits> limits,
                 std::chrono::milliseconds blocked_recheck = kBlockedRecheck);
  // The configured endpoint ("openai") with settings.limits; the template provider unmetered.
  static std::map<std::string, providers::ProviderLimits> limits_from(
      const providers::AiSettings& settings);

  // Grants one request of `estimated_tokens` (prompt + max completion) or says how long to wait.
  boost::asio::awaitable<BudgetDecision> acquire(const std::string& provider,
                                                 std::int64_t estimated_tokens);
  // After a granted call: `token_delta` = actual - estimated tokens (negative gives back),
  // `extra_requests` = HTTP attempts beyond the first (retries inside the call).
  boost::asio::awaitable<void> settle(const std::string& provider, std::int64_t token_delta,
                                      std::int64_t extra_requests = 0);
  // The provider answered 429 with this wait: every process waits it out before calling again.
  boost::asio::awaitable<void> report_rate_limited(const std::string& provider,
                                                   std::chrono::milliseconds retry_after);

  bool metered(const std::string& provider) const { return limits_.count(provider) != 0; }

  static constexpr std::chrono::milliseconds kBlockedRecheck{1000};

 private:
  // The wait a provider without limits is blocked for, from memory when read recently.
  boost::asio::awaitable<std::chrono::milliseconds> blocked_wait(const std::string& provider);
  void remember_blocked(const std::string& provider, std::chrono::milliseconds wait);

  struct Blocked {
    std::chrono::steady_clock::time_point read_at;  // when the database was last asked
    std::chrono::steady_clock::time_point until;
  };

  db::Pool& pool_;
  std::map<std::string, providers::ProviderLimits> limits_;
  std::chrono::milliseconds blocked_recheck_;
  std::mutex mutex_;
  std::map<std::string, Blocked, std::less<>> blocked_;  // guarded by mutex_
};

}  // namespace autoblog::content
