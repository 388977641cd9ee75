#pragma once
// Access log + request metrics middleware: one JSON log line per request (when enabled) and
// the seed's autoblog_tenant_requests_total plus the latency histogram, labelled with the route
// template (never the raw path, which would grow the registry without bound).
// Sits inside error_mapping: an exception is recorded with the status map_exception gives it
// (the same `mapper` error_mapping uses), i.e. the status the client receives.
#include "http/error_mapping.h"
#include "http/handler.h"

namespace autoblog::observability {
class Metrics;
}

namespace autoblog::http {

Middleware access_log(observability::Metrics& metrics, bool log_each_request,
                      ExceptionMapper mapper = {});

}  // namespace autoblog::http
