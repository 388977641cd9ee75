#include "content/content_json.h"

#include <boost/json/parse.hpp>

#include "db/row_json.h"
#include "util/time.h"

namespace autoblog::content {

namespace {

using db::ColumnKind;
using Field = db::JsonField;

// The columns of AUTOBLOG_CONTENT_COLUMNS, AUTOBLOG_PERFORMANCE_COLUMNS and
// AUTOBLOG_BRAND_COLUMNS, in order.
constexpr Field kContentFields[] = {
    {"\"id\":", ColumnKind::kText},
    {"\"status\":", ColumnKind::kText},
    {"\"inspiration_data\":", ColumnKind::kJson},
    {"\"content_brief\":", ColumnKind::kJson},
    {"\"generated_content\":", ColumnKind::kJson},
    {"\"visual_assets\":", ColumnKind::kJson},
    {"\"quality_scores\":", ColumnKind::kJson},
    {"\"published_at\":", ColumnKind::kTimestamp},
    {"\"created_at\":", ColumnKind::kTimestamp},
    {"\"updated_at\":", ColumnKind::kTimestamp},
    {"\"generation\":", ColumnKind::kJson},
    {"\"publications\":", ColumnKind::kJson},
};
constexpr int kContentCreatedAt = 8;

constexpr Field kPerformanceFields[] = {
    {"\"id\":", ColumnKind::kText},
    {"\"content_id\":", ColumnKind::kText},
    {"\"metrics\":", ColumnKind::kJson},
    {"\"tracked_at\":", ColumnKind::kTimestamp},
};
constexpr int kPerformanceTrackedAt = 3;

constexpr Field kBrandFields[] = {
    {"\"id\":", ColumnKind::kText},
    {"\"voice_tone\":", ColumnKind::kJson},
    {"\"topics\":", ColumnKind::kJson},
    {"\"visual_style\":", ColumnKind::kJson},
    {"\"seo_strategy\":", ColumnKind::kJson},
    {"\"publishing_config\":", ColumnKind::kJson},
    {"\"sources\":", ColumnKind::kJson},
    {"\"created_at\":", ColumnKind::kTimestamp},
    {"\"updated_at\":", ColumnKind::kTimestamp},
};

}  // namespace

std::string content_item_json(const db::Result& r, int row) {
  return db::row_json(r, row, kContentFields);
}
std::string performance_json(const db::Result& r, int row) {
  return db::row_json(r, row, kPerformanceFields);
}
std::string brand_json(const db::Result& r, int row) {
  return db::row_json(r, row, kBrandFields);
}

boost::json::value json_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(*text, ec);
  return ec ? boost::json::value(nullptr) : v;
}

std::string string_member(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string string_member(const boost::json::value& value, std::string_view key) {
  return value.is_object() ? string_member(value.get_object(), key) : std::string();
}

boost::json::value json_cell(const db::Result& r, int row, int col) {
  if (row >= r.rows()) return nullptr;
  return json_or_null(r.get_opt(row, col));
}

std::string content_cursor_timestamp(const db::Result& r, int row) {
  return util::rfc3339_from_postgres(r.get(row, kContentCreatedAt));
}
std::string performance_cursor_timestamp(const db::Result& r, int row) {
  return util::rfc3339_from_postgres(r.get(row, kPerformanceTrackedAt));
}

}  // namespace autoblog::content
