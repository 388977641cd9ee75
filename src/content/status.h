#pragma once
// The content pipeline's statuses and which changes are legal (docs/api.md:
// inspiration → briefed → generating → generated → approved → (scheduled →) published, plus
// failed and archived). Pure functions; thread-safe.
#include <string_view>

namespace autoblog::content {

bool is_known_status(std::string_view status);
// Any legal move in the pipeline (used by the job system and the API).
bool is_legal_transition(std::string_view from, std::string_view to);
// Moves a client may make with PATCH. Entering generating, scheduled or published belongs to
// POST /generate and /publish, which enforce quotas and schedules.
bool is_patchable_transition(std::string_view from, std::string_view to);

}  // namespace autoblog::content
