#include "db/row_json.h"

#include "util/json_text.h"
#include "util/time.h"

namespace autoblog::db {

std::string row_json(const Result& r, int row, std::span<const JsonField> fields) {
  std::size_t size = 2;
  for (std::size_t i = 0; i < fields.size(); ++i)
    size += fields[i].key.size() + r.get(row, int(i)).size() + 8;
  std::string out;
  out.reserve(size);
  out += '{';
  for (std::size_t i = 0; i < fields.size(); ++i) {
    int col = static_cast<int>(i);
    if (i) out += ',';
    out += fields[i].key;
    if (r.is_null(row, col)) {
      out += "null";
      continue;
    }
    auto text = r.get(row, col);
    switch (fields[i].kind) {
      case ColumnKind::kText: util::append_json_string(out, text); break;
      case ColumnKind::kJson: util::append_compact_json(out, text); break;
      case ColumnKind::kNumber: out += text; break;
      case ColumnKind::kTimestamp:
        out += '"';
        util::append_rfc3339_from_postgres(out, text);
        out += '"';
        break;
    }
  }
  out += '}';
  return out;
}

}  // namespace autoblog::db
