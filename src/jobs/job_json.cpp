#include "jobs/job_json.h"

#include "db/row_json.h"
#include "util/time.h"

namespace autoblog::jobs {

namespace {
using db::ColumnKind;
constexpr db::JsonField kJobFields[] = {
    {"\"id\":", ColumnKind::kText},          {"\"kind\":", ColumnKind::kText},
    {"\"state\":", ColumnKind::kText},       {"\"priority\":", ColumnKind::kText},
    {"\"attempts\":", ColumnKind::kNumber},  {"\"max_attempts\":", ColumnKind::kNumber},
    {"\"run_at\":", ColumnKind::kTimestamp}, {"\"started_at\":", ColumnKind::kTimestamp},
    {"\"finished_at\":", ColumnKind::kTimestamp}, {"\"last_error\":", ColumnKind::kText},
    {"\"result\":", ColumnKind::kJson},      {"\"created_at\":", ColumnKind::kTimestamp},
};
constexpr int kCreatedAt = 11;
}  // namespace

std::string job_json(const db::Result& r, int row) { return db::row_json(r, row, kJobFields); }

std::string job_cursor_timestamp(const db::Result& r, int row) {
  return util::rfc3339_from_postgres(r.get(row, kCreatedAt));
}

}  // namespace autoblog::jobs
