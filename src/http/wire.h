#pragma once
// The request line and response head as bytes on the wire, apart from the connection loop:
// request ids, request targets (origin-form and absolute-form), and responses serialised by
// hand (Beast's generic serializer — buffers_cat_view over the fields — was the largest single
// cost of a small response). Pure functions; thread-safe (next_request_id uses an atomic).
#include <memory>
#include <string>
#include <string_view>

#include "http/message.h"

namespace autoblog::http {

// Unique within a process and cheap; a per-process prefix separates processes in shared logs.
std::string next_request_id();
// A client's X-Request-Id we are willing to reuse: 1–64 of [A-Za-z0-9._-].
bool acceptable_request_id(std::string_view id);

// Fills target, path and query of `req` from a request target. Origin-form ("/p?q") and
// absolute-form ("http://host/p?q", which RFC 9112 §3.2.2 requires servers to accept) give the
// same path and query. Query keys and values are percent-decoded ('+' is a space, as browsers
// send forms). False for a malformed escape or absolute URI: the request is a 400.
bool fill_target(Request& req, std::string_view target);

// A response ready to send: the head and the body, written as two buffers (never copied), then
// the streamed body's pieces when there is one.
struct WireResponse {
  std::string head;
  std::string body;
  std::shared_ptr<BodyStream> stream;
};

// `head` is the connection's reusable buffer: cleared, not reallocated, for each response.
// Every response carries Date (http_date.h) and, unless 1xx/204/304, Content-Length (of `body`,
// or of `body_stream` when set). `head_request`: the answer to a HEAD request, the same head as
// the GET's (its Content-Length included) and no body.
WireResponse to_wire(Response&& res, unsigned version, bool keep_alive, std::string head = {},
                     bool head_request = false);

}  // namespace autoblog::http
