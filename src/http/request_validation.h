#pragma once
// Checks a routed request against its route's http::Operation, before the handler runs: every
// refusal is a 400 invalid_request naming the parameter or field (415 for a body that is not
// application/json), so handlers only ever see input their definitions allow. Work is bounded
// by the input: parameters are few and short, the body is at most the server's body limit and
// is parsed once with a nesting limit. Stateless; thread-safe.
#include "http/message.h"

namespace autoblog::http {

struct Operation;

// Path and query parameters: required ones present, each as its schema says. Parameters the
// operation does not declare are ignored.
void check_parameters(const Operation& op, const Request& req);

// A JSON body (the operation declares one): parsed, checked, stored in req.json_body. Other
// bodies are left to the handler.
void check_body(const Operation& op, Request& req);

}  // namespace autoblog::http
