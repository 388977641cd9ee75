#pragma once
// JSON request bodies: parsing (content type, syntax, object shape), the checked body of the
// current request, and typed field accessors for handlers. The route's schema has already been
// enforced by dispatch_to_route (http/request_validation.h) when a handler reads fields, so the
// accessors' own type errors are a last line, never the rule. Stateless; thread-safe.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace autoblog::http {

// Requires Content-Type application/json (415) and a JSON object body (400).
// An empty body is allowed when `allow_empty` and yields an empty object.
boost::json::object parse_json_object(const Request& req, bool allow_empty = false);

// The request's JSON body as checked against its route's schema (Request::json_body).
// std::logic_error on a route that declares no JSON body.
const boost::json::object& json_body(const Request& req);

// Field accessors: absent → nullopt / nullptr; present with the wrong type → 400.
// `_or_null` variants accept JSON null and report it as a present null (value()->is_null()).
const boost::json::value* object_field(const boost::json::object& body, std::string_view key,
                                       bool nullable = false);
const boost::json::value* array_field(const boost::json::object& body, std::string_view key,
                                      bool nullable = false);
std::optional<std::string> string_field(const boost::json::object& body, std::string_view key);
std::optional<std::int64_t> int_field(const boost::json::object& body, std::string_view key);

Response json_response(unsigned status, const boost::json::value& body);

// ?limit= : 1..100, default 20 for lists; other bounds where a resource needs them (object
// listings: 1..1000, default 100). The route's parameter schema states the same bounds.
int page_limit(const Request& req, int default_limit = 20, int max_limit = 100);

}  // namespace autoblog::http
