#pragma once
// The job JSON of the API (docs/api.md), written from AUTOBLOG_JOB_COLUMNS (jobs/job_queries.h)
// without parsing. Pure functions: thread-safe.
#include <string>

#include "db/result.h"

namespace autoblog::jobs {

std::string job_json(const db::Result& r, int row);
// The keyset cursor's timestamp (created_at) of a row.
std::string job_cursor_timestamp(const db::Result& r, int row);

}  // namespace autoblog::jobs
