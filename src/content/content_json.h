#pragma once
// Response JSON for content items, performance records and brand configs, written from the
// columns of content/content_queries.h (in their *_COLUMNS order): jsonb columns are copied
// compacted, timestamps rewritten to the API's RFC 3339 form, nothing parsed. One allocation
// per document in the common case. Pure functions: thread-safe.
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "db/result.h"

namespace autoblog::content {

std::string content_item_json(const db::Result& r, int row);
std::string performance_json(const db::Result& r, int row);
std::string brand_json(const db::Result& r, int row);

// Sort keys for keyset cursors (created_at / tracked_at, id) of a row.
// A JSON column's value: null for SQL NULL, for a result without that row, or for text that is
// not JSON (jsonb columns always are).
boost::json::value json_cell(const db::Result& r, int row, int col);
// JSON text read from the database or a stored payload as a value; null when absent or not JSON.
boost::json::value json_or_null(const std::optional<std::string>& text);
// The string member `key` of a JSON object; "" when it is absent or not a string, or when
// `value` is not an object.
std::string string_member(const boost::json::object& object, std::string_view key);
std::string string_member(const boost::json::value& value, std::string_view key);

std::string content_cursor_timestamp(const db::Result& r, int row);
std::string performance_cursor_timestamp(const db::Result& r, int row);

}  // namespace autoblog::content
