#pragma once
// The base of every domain service error (content::NotFound, tenancy::DomainTaken, ...). A
// service says what went wrong in its own terms; the kind says how a caller should treat it, and
// the api layer (api/error_mapping.cpp) is the one place that turns kinds into HTTP statuses.
// The CLI prints what() on one line. No HTTP in here. Plain exception types, thread-safe.
#include <stdexcept>
#include <string>

namespace autoblog::domain {

enum class ErrorKind {
  kNotFound,      // the thing asked for does not exist (for this caller)
  kConflict,      // the request contradicts current state (taken domain, illegal transition)
  kInvalidInput,  // the caller's input is malformed or out of range
  kForbidden,     // the caller may not do this now (tenant suspended or deleted)
  kUnavailable,   // a dependency failed; retrying later may succeed
  kQuotaExceeded, // a limit of the tenant's plan is used up until a known time
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Shorthands for services' own error types: struct NotFound : domain::NotFoundError {...}.
template <ErrorKind K>
struct KindError : Error {
  explicit KindError(const std::string& message) : Error(K, message) {}
};
using NotFoundError = KindError<ErrorKind::kNotFound>;
using ConflictError = KindError<ErrorKind::kConflict>;
using InvalidInputError = KindError<ErrorKind::kInvalidInput>;
using ForbiddenError = KindError<ErrorKind::kForbidden>;
using UnavailableError = KindError<ErrorKind::kUnavailable>;

// A used-up allowance (daily content, ...): says when it resets, which the API turns into
// Retry-After.
struct QuotaExceededError : Error {
  QuotaExceededError(const std::string& message, std::string reset_at_rfc3339,
                     long long retry_after_seconds)
      : Error(ErrorKind::kQuotaExceeded, message),
        reset_at(std::move(reset_at_rfc3339)),
        retry_after(retry_after_seconds) {}
  std::string reset_at;
  long long retry_after;
};

}  // namespace autoblog::domain
