#pragma once
// One provider call inside the shared budget, as a generation job makes it:
//   acquire (estimate) -> refused: Snooze{wait}, nothing called;
//   call the provider  -> ProviderRateLimited: report it (every worker backs off), give the
//                         estimate back, Snooze{its wait};
//                      -> success: settle the estimate against the reported usage and the
//                         retries made, return the result;
//                      -> any other provider error: thrown as is (the estimate stays charged:
//                         a timed-out call may well have been processed and billed).
// A Snooze means "run this job again after retry_after, without spending an attempt".
// Thread-safe as the budget and generators are; all must outlive the call.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

#include "content/provider_budget.h"
#include "content/providers/image_generator.h"
#include "content/providers/text_generator.h"

namespace autoblog::content {

struct Snooze {
  std::chrono::milliseconds retry_after{0};
  std::string reason;  // "budget" (our own limits) or the provider's 429 message
};

// Tokens a text request may use: its prompt (about 4 bytes per token in English) plus the
// completion allowance. Errs high, which is the safe side for a budget; settle() corrects it.
std::int64_t estimate_tokens(const providers::TextRequest& request);

boost::asio::awaitable<std::variant<providers::TextResult, Snooze>> generate_within_budget(
    ProviderBudget& budget, providers::TextGenerator& generator, providers::TextRequest request);

// Images count as one request each and no tokens.
boost::asio::awaitable<std::variant<providers::ImageResult, Snooze>> generate_within_budget(
    ProviderBudget& budget, providers::ImageGenerator& generator, providers::ImageRequest request);

}  // namespace autoblog::content
