#pragma once
// The job kinds this build knows:
//   generate_content — writes an article for a content item through a ContentEngine and moves
//     the item generating → generated in the transaction that completes the job (failed when
//     the job gives up; the daily unit is refunded by the queue);
//   noop — internal, never enqueued by the API: for tests and benchmarks. Its payload may ask
//     it to fail (`fail_times`, `permanent`), wait (`sleep_ms`), snooze (`snooze_times`,
//     `snooze_ms`), record an effect in its tenant's schema in the same transaction as its
//     completion (`effect`), or look up a content item (`read_item`).
#include <memory>

#include "jobs/content_engine.h"
#include "jobs/handler.h"

namespace autoblog::jobs {

// `engine` must outlive the registry's use.
HandlerRegistry builtin_handlers(ContentEngine& engine);

}  // namespace autoblog::jobs
