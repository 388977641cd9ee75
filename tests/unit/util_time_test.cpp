// util::format_rfc3339*: the API's one timestamp format, which must match what the SQL function
// autoblog_core.rfc3339() renders (six fractional digits, UTC, "Z").
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>

#include "db/migrations/embedded.h"
#include "util/time.h"

namespace autoblog::util {
namespace {

using namespace std::chrono;

TEST(Rfc3339, MicrosecondsTruncatedNotRounded) {
  const auto t = sys_days{year{2026} / November / 28} + hours{14} + minutes{5} + seconds{9} +
                 microseconds{123456} + nanoseconds{999};
  EXPECT_EQ(format_rfc3339(time_point_cast<system_clock::duration>(t)),
            "2026-11-28T14:05:09.123456Z");
  EXPECT_EQ(format_rfc3339_millis(time_point_cast<system_clock::duration>(t)),
            "2026-11-28T14:05:09.123Z");
}

TEST(Rfc3339, UnixSecondsHaveAZeroFraction) {
  EXPECT_EQ(format_rfc3339_unix(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339_unix(1767323045), "2026-01-02T03:04:05.000000Z");
  EXPECT_EQ(format_rfc3339_unix(951782400), "2000-02-29T00:00:00.000000Z");  // leap day
}

TEST(Rfc3339, BeforeTheEpochFloorsToTheEarlierSecond) {
  // -0.5 s is 23:59:59.5 on the last day of 1969, not 00:00:00.5.
  EXPECT_EQ(format_rfc3339(system_clock::time_point(milliseconds{-500})),
            "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(format_rfc3339_unix(-1), "1969-12-31T23:59:59.000000Z");
}

TEST(Rfc3339, OutOfRangeYearsAreClamped) {
  EXPECT_EQ(format_rfc3339_unix(INT64_MAX), "9999-12-31T23:59:59.000000Z");
  EXPECT_EQ(format_rfc3339_unix(INT64_MIN), "0000-01-01T00:00:00.000000Z");
}

// The SQL side of the contract: if someone changes the migration's format, this fails and
// points at the C++ formatter that must change with it.
TEST(Rfc3339, MatchesTheSqlFunctionInTheCoreMigration) {
  std::string sql;
  for (const auto& file : db::embedded_core_migrations()) sql += file.sql;
  EXPECT_NE(sql.find("to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"),
            std::string::npos)
      << "autoblog_core.rfc3339() changed: make util::format_rfc3339 match it";
  EXPECT_TRUE(std::regex_match(format_rfc3339(system_clock::now()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
}

}  // namespace
}  // namespace autoblog::util
