#pragma once
// The typed errors of the AI providers (TextGenerator, ImageGenerator), all deriving from
// ProviderError so a caller can catch every provider failure at once, or one kind precisely.
// They tell the caller what to do next:
//   ProviderRateLimited      the provider said "slow down" and the wait is longer than we wait
//                            in place: tell ProviderBudget (report_rate_limited) and retry the
//                            job after `retry_after`, spending no attempt;
//   ProviderTransient        5xx, timeout, refused or lost connection, still failing after the
//                            retries: retry the job later (a normal attempt);
//   ProviderRejected         the provider refused the request itself (4xx other than 429: bad
//                            key, unknown model, prompt too long): retrying cannot help;
//   ProviderInvalidResponse  the provider answered 2xx with something we cannot use (not JSON,
//                            no `choices`, no image): a repair attempt or a clear failure.
// what() is one human-readable line naming the provider and the cause; it never contains the
// API key. Plain exception types: thread-safe to copy and read.
#include <chrono>
#include <string>

#include "domain/errors.h"

namespace autoblog::content::providers {

// For the HTTP layer every provider failure is "a dependency failed" (503), should one ever
// escape a request handler; jobs tell the kinds apart by type.
struct ProviderError : domain::UnavailableError {
  using domain::UnavailableError::UnavailableError;
};

struct ProviderRateLimited : ProviderError {
  ProviderRateLimited(const std::string& message, std::chrono::milliseconds wait)
      : ProviderError(message), retry_after(wait) {}
  std::chrono::milliseconds retry_after;
};

struct ProviderTransient : ProviderError {
  using ProviderError::ProviderError;
};

struct ProviderRejected : ProviderError {
  ProviderRejected(const std::string& message, long http_status = 0)
      : ProviderError(message), status(http_status) {}
  long status;  // the provider's HTTP status; 0 when the request never left (bad URL)
};

struct ProviderInvalidResponse : ProviderError {
  using ProviderError::ProviderError;
};

}  // namespace autoblog::content::providers
