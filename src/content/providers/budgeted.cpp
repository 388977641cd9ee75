#include "content/providers/budgeted.h"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <utility>

#include "content/providers/errors.h"

namespace autoblog::content {
namespace {

template <class Result, class Generator, class Request>
boost::asio::awaitable<std::variant<Result, Snooze>> within_budget(ProviderBudget& budget,
                                                                   Generator& generator,
                                                                   Request request,
                                                                   std::int64_t estimate) {
  const std::string provider(generator.name());
  auto decision = co_await budget.acquire(provider, estimate);
  if (!decision) co_return Snooze{decision.retry_after, "budget"};

  std::optional<providers::ProviderRateLimited> limited;
  std::optional<Result> result;
  try {
    result = co_await generator.generate(std::move(request));
  } catch (const providers::ProviderRateLimited& e) {
    limited = e;  // handled below: no co_await inside a handler
  }
  if (limited) {
    co_await budget.report_rate_limited(provider, limited->retry_after);
    co_await budget.settle(provider, -estimate);
    co_return Snooze{limited->retry_after, limited->what()};
  }
  std::int64_t used = estimate;
  if constexpr (std::is_same_v<Result, providers::TextResult>) {
    // A server that reports no usage (some local ones) keeps the estimate charged.
    if (result->prompt_tokens + result->completion_tokens > 0)
      used = result->prompt_tokens + result->completion_tokens;
  }
  co_await budget.settle(provider, used - estimate, result->attempts - 1);
  co_return std::move(*result);
}

}  // namespace

std::int64_t estimate_tokens(const providers::TextRequest& request) {
  const auto prompt_bytes =
      static_cast<std::int64_t>(request.system_prompt.size() + request.user_prompt.size());
  return prompt_bytes / 4 + 16 + std::max(0, request.max_tokens);
}

boost::asio::awaitable<std::variant<providers::TextResult, Snooze>> generate_within_budget(
    ProviderBudget& budget, providers::TextGenerator& generator, providers::TextRequest request) {
  const auto estimate = estimate_tokens(request);
  return within_budget<providers::TextResult>(budget, generator, std::move(request), estimate);
}

boost::asio::awaitable<std::variant<providers::ImageResult, Snooze>> generate_within_budget(
    ProviderBudget& budget, providers::ImageGenerator& generator, providers::ImageRequest request) {
  return within_budget<providers::ImageResult>(budget, generator, std::move(request), 0);
}

}  // namespace autoblog::content
