#pragma once
// The OpenAPI 3.0.3 document of a router, generated from the routes' http::Operation
// definitions (the same ones the request validation enforces) and the shared schemas of
// api/definitions.h. Per operation it adds what every route of its kind shares: the error
// responses (400, 401/403, 404, 413/415, 429, 500, 503) with the Error body, the rate-limit
// headers of tenant routes, and a HEAD operation for every GET. Pure function of the router;
// call it once all routes are added.
#include <string>

#include "http/router.h"

namespace autoblog::api {

std::string openapi_document(const http::Router& router);

}  // namespace autoblog::api
