#pragma once
// Strict JSON request-body parsing for handlers: content type, syntax, object shape, allowed
// field names and types. Every violation is a BadRequest/UnsupportedMediaType naming the field,
// so bad input can never reach the database or become a 500. Stateless; thread-safe.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace autoblog::http {

// Requires Content-Type application/json (415) and a JSON object body (400).
// An empty body is allowed when `allow_empty` and yields an empty object.
boost::json::object parse_json_object(const Request& req, bool allow_empty = false);

// 400 naming the first field not in `allowed`.
void require_known_fields(const boost::json::object& body,
                          std::initializer_list<std::string_view> allowed);

// Field accessors: absent → nullopt / nullptr; present with the wrong type → 400.
// `_or_null` variants accept JSON null and report it as a present null (value()->is_null()).
const boost::json::value* object_field(const boost::json::object& body, std::string_view key,
                                       bool nullable = false);
const boost::json::value* array_field(const boost::json::object& body, std::string_view key,
                                      bool nullable = false);
std::optional<std::string> string_field(const boost::json::object& body, std::string_view key);
std::optional<std::int64_t> int_field(const boost::json::object& body, std::string_view key);

Response json_response(unsigned status, const boost::json::value& body);

// ?limit= : 1..100, default 20, as DESIGN §2 fixes it for lists; other bounds where a resource
// needs them (object listings: 1..1000, default 100).
int page_limit(const Request& req, int default_limit = 20, int max_limit = 100);

}  // namespace autoblog::http
