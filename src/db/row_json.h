#pragma once
// A JSON object written from one result row, column i → field i, without parsing anything:
// text columns become JSON strings, jsonb columns are copied compacted, numbers as they are,
// timestamps rewritten to the API's RFC 3339 form, NULL as null. One allocation per document
// in the common case. Used for every response built from columns (content items, brand
// configs, jobs). Pure functions: thread-safe.
#include <span>
#include <string>
#include <string_view>

#include "db/result.h"

namespace autoblog::db {

enum class ColumnKind { kText, kJson, kNumber, kTimestamp };

struct JsonField {
  std::string_view key;  // already a JSON string with its ':', e.g. "\"id\":"
  ColumnKind kind;
};

std::string row_json(const Result& r, int row, std::span<const JsonField> fields);

}  // namespace autoblog::db
