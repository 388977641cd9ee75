#include "content/provider_budget.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "content/provider_budget_queries.h"
#include "db/transaction.h"

namespace autoblog::content {

ProviderBudget::ProviderBudget(db::Pool& pool,
                               std::map<std::string, providers::ProviderLimits> limits,
                               std::chrono::milliseconds blocked_recheck)
    : pool_(pool), limits_(std::move(limits)), blocked_recheck_(blocked_recheck) {}

std::map<std::string, providers::ProviderLimits> ProviderBudget::limits_from(
    const providers::AiSettings& settings) {
  std::map<std::string, providers::ProviderLimits> out;
  if (settings.base_url) out[providers::provider_name(settings)] = settings.limits;
  return out;
}

boost::asio::awaitable<BudgetDecision> ProviderBudget::acquire(const std::string& provider,
                                                               std::int64_t estimated_tokens) {
  auto it = limits_.find(provider);
  if (it == limits_.end()) co_return BudgetDecision{};
  const auto& l = it->second;
  if (l.requests_per_minute == 0 && l.tokens_per_minute == 0) {
    auto wait = co_await blocked_wait(provider);
    co_return BudgetDecision{wait.count() == 0, wait};
  }
  db::Params params{db::param(provider), db::param(l.requests_per_minute),
                    db::param(std::max<std::int64_t>(1, l.burst)), db::param(l.tokens_per_minute),
                    db::param(std::max<std::int64_t>(0, estimated_tokens))};
  for (int round = 0; round < 2; ++round) {
    {
      auto tx = co_await db::CoreTx::begin(pool_);
      auto r = co_await tx.commit_with(queries::kAcquireBudget, params);
      if (!r.empty()) {
        const std::int64_t wait_ms = r.get_int(0, 0);
        co_return BudgetDecision{wait_ms == 0, std::chrono::milliseconds(wait_ms)};
      }
    }
    // The provider's first call ever: create its row (racing creators are fine), then decide.
    auto tx = co_await db::CoreTx::begin(pool_);
    db::Params key{db::param(provider)};  // named: GCC 12 miscompiles braced lists in co_await
    co_await tx.commit_with(queries::kEnsureBudget, std::move(key));
  }
  throw std::logic_error("provider budget row for '" + provider + "' vanished");
}

boost::asio::awaitable<void> ProviderBudget::settle(const std::string& provider,
                                                    std::int64_t token_delta,
                                                    std::int64_t extra_requests) {
  auto it = limits_.find(provider);
  if (it == limits_.end()) co_return;
  const auto& l = it->second;
  // Only the meters that exist have anything to correct.
  if ((token_delta == 0 || l.tokens_per_minute == 0) &&
      (extra_requests <= 0 || l.requests_per_minute == 0))
    co_return;
  auto tx = co_await db::CoreTx::begin(pool_);
  db::Params params{db::param(provider), db::param(token_delta), db::param(l.tokens_per_minute),
                    db::param(std::max<std::int64_t>(0, extra_requests)),
                    db::param(l.requests_per_minute)};
  co_await tx.commit_with(queries::kSettleBudget, std::move(params));
}

boost::asio::awaitable<std::chrono::milliseconds> ProviderBudget::blocked_wait(
    const std::string& provider) {
  using Clock = std::chrono::steady_clock;
  auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = blocked_.find(provider); it != blocked_.end() && now - it->second.read_at < blocked_recheck_)
      co_return std::chrono::ceil<std::chrono::milliseconds>(std::max(Clock::duration{}, it->second.until - now));
  }
  auto tx = co_await db::CoreTx::begin(pool_);
  db::Params key{db::param(provider)};
  auto r = co_await tx.commit_with(queries::kBlockedWait, std::move(key));
  std::chrono::milliseconds wait(r.empty() ? 0 : r.get_int(0, 0));
  remember_blocked(provider, wait);
  co_return wait;
}

void ProviderBudget::remember_blocked(const std::string& provider, std::chrono::milliseconds wait) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto& b = blocked_[provider];
  b.read_at = now;
  b.until = std::max(b.until, now + wait);
}

boost::asio::awaitable<void> ProviderBudget::report_rate_limited(
    const std::string& provider, std::chrono::milliseconds retry_after) {
  if (!metered(provider) || retry_after.count() <= 0) co_return;
  remember_blocked(provider, retry_after);
  auto tx = co_await db::CoreTx::begin(pool_);
  db::Params params{db::param(provider), db::param(std::int64_t{retry_after.count()})};
  co_await tx.commit_with(queries::kBlockBudget, std::move(params));
}

}  // namespace autoblog::content
