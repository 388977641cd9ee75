#pragma once
// Response JSON for content items, performance records and brand configs, written from the
// columns of content/content_queries.h (in their *_COLUMNS order): jsonb columns are copied
// compacted, timestamps rewritten to the API's RFC 3339 form, nothing parsed. One allocation
// per document in the common case. Pure functions: thread-safe.
#include <string>

#include "db/result.h"

namespace autoblog::content {

std::string content_item_json(const db::Result& r, int row);
std::string performance_json(const db::Result& r, int row);
std::string brand_json(const db::Result& r, int row);

// Sort keys for keyset cursors (created_at / tracked_at, id) of a row.
std::string content_cursor_timestamp(const db::Result& r, int row);
std::string performance_cursor_timestamp(const db::Result& r, int row);

}  // namespace autoblog::content
