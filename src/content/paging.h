#pragma once
// Keyset pagination shared by every list of tenant data (content items, performance records,
// jobs): `?limit=` 1..100, an opaque cursor holding the last row's (timestamp, id), and one row
// more than the page fetched to know whether a next page exists. Pure functions: thread-safe.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "db/result.h"
#include "db/statement.h"
#include "util/cursor.h"

namespace autoblog::content {

struct PageRequest {
  int limit = 20;                     // 1..100
  std::optional<std::string> cursor;  // as returned in next_cursor
};

struct JsonPage {
  std::vector<std::string> items;  // JSON objects, newest first
  std::optional<std::string> next_cursor;
};

// InvalidInput unless 1 <= limit <= 100.
void check_limit(int limit);

// Cursor parameters (timestamp, id) for the keyset queries, NULLs for page one; InvalidInput
// for a cursor that does not decode.
void add_cursor_params(const std::optional<std::string>& raw, db::Params& p);

// Rows one more than the page: the page (each row as JSON) and its next cursor (the last
// row's sort timestamp and id, column 0).
template <typename ToJson, typename SortTimestamp>
JsonPage page_of(const db::Result& r, int limit, ToJson to_json, SortTimestamp sort_timestamp) {
  JsonPage page;
  int n = std::min(r.rows(), limit);
  page.items.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) page.items.push_back(to_json(r, i));
  if (r.rows() > limit && n > 0)
    page.next_cursor = util::encode_cursor({sort_timestamp(r, n - 1), std::string(r.get(n - 1, 0))});
  return page;
}

}  // namespace autoblog::content
