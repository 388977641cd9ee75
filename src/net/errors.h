#pragma once
// The typed errors of net::HttpClient, all deriving from net::Error so a caller can catch every
// outbound-HTTP failure at once, or one kind precisely. what() is a human-readable message that
// names the method and URL (never credentials or bodies).
// Plain value types: thread-safe to copy and read.
#include <stdexcept>
#include <string>

namespace autoblog::net {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The total deadline passed (during a transfer or before a retry could start).
struct Timeout : Error {
  using Error::Error;
};

// No connection: DNS failure, refused, unreachable, or the connect timeout passed.
struct ConnectFailed : Error {
  using Error::Error;
};

// The egress policy refused every address the host resolved to.
struct EgressRefused : Error {
  using Error::Error;
};

// The response body is larger than the request's max_response_bytes (checked against
// Content-Length up front and counted while receiving).
struct ResponseTooLarge : Error {
  using Error::Error;
};

// More redirects than the request's max_redirects allows.
struct TooManyRedirects : Error {
  using Error::Error;
};

// Connection lost mid-transfer, TLS or protocol failure: anything else curl reports.
struct TransferFailed : Error {
  using Error::Error;
};

// The request itself is unusable: malformed URL, unsupported scheme, bad option.
struct InvalidRequest : Error {
  using Error::Error;
};

// A final status >= 400 when the request asked for errors to be thrown (the default). Carries
// the status and the (size-capped) body so callers can read an API's error document.
struct HttpError : Error {
  HttpError(const std::string& what, long status_code, std::string response_body)
      : Error(what), status(status_code), body(std::move(response_body)) {}
  long status;
  std::string body;
};

}  // namespace autoblog::net
