#pragma once
// The outermost middleware: the one place where exceptions become HTTP responses, and the one
// function that decides which response an exception gets (map_exception), which the access log
// uses too, so metrics count the status the client actually received.
//
// This layer knows only its own http::ApiError (status, code, headers). Everything else — the
// database's, storage's and the domain services' errors — is mapped by an ExceptionMapper that
// the composition root plugs in (api::map_exception in api/error_mapping.h); what neither knows
// is a 500 "internal" with a generic message (details only in the log, with the request id).
// (The request's response_headers, the rate-limit state, are added by the server to every
// response, these included.)
// Stateless; thread-safe.
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "http/handler.h"

namespace autoblog::http {

struct ErrorReply {
  unsigned status = 500;
  std::string code = "internal";
  std::string message;
  Fields headers;  // extra response headers (Allow, Retry-After, ...)
  // For the log only, never the client; empty log_event = nothing worth logging (4xx).
  std::string log_event;
  std::string log_error;                    // the exception's text
  std::optional<std::string> log_sqlstate;  // database errors
};

// Maps what http does not know; nullopt = not recognised (→ 500 internal). Must not throw.
using ExceptionMapper =
    std::function<std::optional<ErrorReply>(const std::exception_ptr&, const Request&)>;

// ApiError → its own reply; then `mapper`; else 500 internal (logged as "unhandled error").
ErrorReply map_exception(const std::exception_ptr& error, const Request& req,
                         const ExceptionMapper& mapper);

Middleware error_mapping(ExceptionMapper mapper = {});

// The error body of docs/api.md, also used by the server for errors raised before routing.
Response error_response(unsigned status, std::string_view code, std::string_view message);

}  // namespace autoblog::http
