#pragma once
// The outermost middleware: the one place where exceptions become HTTP responses.
// ApiError → its status and {"error": {"code", "message"}}; anything else → 500 "internal"
// with a generic message (details go to the log with the request id, never to the client).
#include "http/handler.h"

namespace autoblog::http {

Middleware error_mapping();

// The error body of DESIGN §2, also used by the server for errors raised before routing.
Response error_response(unsigned status, std::string_view code, std::string_view message);

}  // namespace autoblog::http
