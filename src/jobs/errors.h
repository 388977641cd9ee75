#pragma once
// Errors of the job queue's services (kinds → HTTP in api/error_mapping.cpp), and the signals a
// job handler throws to tell the worker what to do with its job.
#include <chrono>
#include <string>

#include "domain/errors.h"

namespace autoblog::jobs {

struct JobNotFound : domain::NotFoundError {
  JobNotFound() : domain::NotFoundError("job not found") {}
};
// DELETE of a job that is running or finished.
struct JobNotCancellable : domain::ConflictError {
  explicit JobNotCancellable(const std::string& state)
      : domain::ConflictError("job is " + state + "; only a queued job can be cancelled") {}
};
struct InvalidJobQuery : domain::InvalidInputError {
  explicit InvalidJobQuery(const std::string& m) : domain::InvalidInputError(m) {}
};

// POST /v1/trends/discover for a brand that lists no feeds (or a tenant with no brand yet).
struct NoFeeds : domain::ConflictError {
  NoFeeds()
      : domain::ConflictError(
            "the brand lists no feeds; set sources.feeds with PUT /v1/brand first") {}
};

// --- thrown by handlers ---
// Any other exception is a failed attempt that is retried with backoff until max_attempts.
// The job cannot succeed whatever the retries: it ends `failed` at once (and refunds).
struct PermanentFailure : std::runtime_error {
  explicit PermanentFailure(const std::string& m) : std::runtime_error(m) {}
};
// Not now: back to the queue after `delay` without spending an attempt (a provider's budget is
// exhausted, a rate limit answered).
struct Snooze : std::runtime_error {
  explicit Snooze(std::chrono::milliseconds d, const std::string& why = "snoozed")
      : std::runtime_error(why), delay(d) {}
  std::chrono::milliseconds delay;
};
// The worker no longer holds the job (its lease expired and another worker claimed it): the
// handler's transaction was rolled back and nothing it did counts.
struct LeaseLost : std::runtime_error {
  LeaseLost() : std::runtime_error("the job's lease was lost") {}
};

}  // namespace autoblog::jobs
