#include "jobs/daily_reset.h"

#include "util/time.h"

namespace autoblog::jobs {

DailyReset next_daily_reset(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  auto midnight = floor<days>(now) + days(1);
  return {util::format_rfc3339_unix(duration_cast<seconds>(midnight.time_since_epoch()).count()),
          duration_cast<seconds>(midnight - now).count() + 1};
}

}  // namespace autoblog::jobs
