#include "content/content_json.h"

#include "util/json_text.h"
#include "util/time.h"

namespace autoblog::content {

namespace {

enum class Kind { kText, kJson, kTimestamp };
struct Field {
  std::string_view key;  // already a JSON string with its ':', e.g. "\"id\":"
  Kind kind;
};

// The columns of AUTOBLOG_CONTENT_COLUMNS, AUTOBLOG_PERFORMANCE_COLUMNS and
// AUTOBLOG_BRAND_COLUMNS, in order.
constexpr Field kContentFields[] = {
    {"\"id\":", Kind::kText},
    {"\"status\":", Kind::kText},
    {"\"inspiration_data\":", Kind::kJson},
    {"\"content_brief\":", Kind::kJson},
    {"\"generated_content\":", Kind::kJson},
    {"\"visual_assets\":", Kind::kJson},
    {"\"quality_scores\":", Kind::kJson},
    {"\"published_at\":", Kind::kTimestamp},
    {"\"created_at\":", Kind::kTimestamp},
    {"\"updated_at\":", Kind::kTimestamp},
};
constexpr int kContentCreatedAt = 8;

constexpr Field kPerformanceFields[] = {
    {"\"id\":", Kind::kText},
    {"\"content_id\":", Kind::kText},
    {"\"metrics\":", Kind::kJson},
    {"\"tracked_at\":", Kind::kTimestamp},
};
constexpr int kPerformanceTrackedAt = 3;

constexpr Field kBrandFields[] = {
    {"\"id\":", Kind::kText},
    {"\"voice_tone\":", Kind::kJson},
    {"\"topics\":", Kind::kJson},
    {"\"visual_style\":", Kind::kJson},
    {"\"seo_strategy\":", Kind::kJson},
    {"\"publishing_config\":", Kind::kJson},
    {"\"created_at\":", Kind::kTimestamp},
    {"\"updated_at\":", Kind::kTimestamp},
};

template <std::size_t N>
std::string object_json(const db::Result& r, int row, const Field (&fields)[N]) {
  std::size_t size = 2;
  for (std::size_t i = 0; i < N; ++i) size += fields[i].key.size() + r.get(row, int(i)).size() + 8;
  std::string out;
  out.reserve(size);
  out += '{';
  for (std::size_t i = 0; i < N; ++i) {
    int col = static_cast<int>(i);
    if (i) out += ',';
    out += fields[i].key;
    if (r.is_null(row, col)) {
      out += "null";
      continue;
    }
    auto text = r.get(row, col);
    switch (fields[i].kind) {
      case Kind::kText: util::append_json_string(out, text); break;
      case Kind::kJson: util::append_compact_json(out, text); break;
      case Kind::kTimestamp:
        out += '"';
        util::append_rfc3339_from_postgres(out, text);
        out += '"';
        break;
    }
  }
  out += '}';
  return out;
}

}  // namespace

std::string content_item_json(const db::Result& r, int row) {
  return object_json(r, row, kContentFields);
}
std::string performance_json(const db::Result& r, int row) {
  return object_json(r, row, kPerformanceFields);
}
std::string brand_json(const db::Result& r, int row) { return object_json(r, row, kBrandFields); }

std::string content_cursor_timestamp(const db::Result& r, int row) {
  return util::rfc3339_from_postgres(r.get(row, kContentCreatedAt));
}
std::string performance_cursor_timestamp(const db::Result& r, int row) {
  return util::rfc3339_from_postgres(r.get(row, kPerformanceTrackedAt));
}

}  // namespace autoblog::content
