#pragma once
// Typed API errors. Handlers and lower layers throw these; the error middleware
// (http/error_mapping.cpp) is the one place that turns them into HTTP responses
// with the body {"error": {"code", "message"}} of docs/api.md.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace autoblog::http {

class ApiError : public std::runtime_error {
 public:
  ApiError(unsigned status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  unsigned status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  // Extra response headers (Allow, Retry-After, ...).
  const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
    return headers_;
  }
  ApiError& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }

 private:
  unsigned status_;
  std::string code_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

struct BadRequest : ApiError {
  explicit BadRequest(const std::string& m) : ApiError(400, "invalid_request", m) {}
};
// Carries the Bearer challenge (RFC 6750 §3): `token_given` = a token was presented but is
// malformed, expired, revoked or wrong, which RFC 6750 §3.1 calls error="invalid_token"; a
// request without credentials gets the bare challenge.
struct Unauthorized : ApiError {
  explicit Unauthorized(const std::string& m, bool token_given = false);
};
struct Forbidden : ApiError {
  explicit Forbidden(const std::string& m) : ApiError(403, "forbidden", m) {}
};
struct NotFound : ApiError {
  explicit NotFound(const std::string& m = "resource not found") : ApiError(404, "not_found", m) {}
};
struct MethodNotAllowed : ApiError {
  explicit MethodNotAllowed(const std::string& m) : ApiError(405, "invalid_request", m) {}
};
struct Conflict : ApiError {
  explicit Conflict(const std::string& m) : ApiError(409, "conflict", m) {}
};
struct PayloadTooLarge : ApiError {
  explicit PayloadTooLarge(const std::string& m) : ApiError(413, "payload_too_large", m) {}
};
struct UnsupportedMediaType : ApiError {
  explicit UnsupportedMediaType(const std::string& m)
      : ApiError(415, "unsupported_media_type", m) {}
};
struct RateLimited : ApiError {
  explicit RateLimited(const std::string& m) : ApiError(429, "rate_limited", m) {}
};
struct QuotaExceeded : ApiError {
  explicit QuotaExceeded(const std::string& m) : ApiError(429, "quota_exceeded", m) {}
};
struct Unavailable : ApiError {
  explicit Unavailable(const std::string& m) : ApiError(503, "unavailable", m) {}
};

}  // namespace autoblog::http
