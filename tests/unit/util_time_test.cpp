// util::format_rfc3339* and rfc3339_from_postgres: the API's one timestamp format (six
// fractional digits, UTC, "Z"), whether the instant comes from the server's clock or the database.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

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

// PostgreSQL's text form of a timestamptz (TimeZone UTC, DateStyle ISO) in the API's form.
TEST(Rfc3339FromPostgres, PadsTheFractionToMicroseconds) {
  EXPECT_EQ(rfc3339_from_postgres("2026-12-05 18:10:51.123456+00"), "2026-12-05T18:10:51.123456Z");
  EXPECT_EQ(rfc3339_from_postgres("2026-12-05 18:10:51.1+00"), "2026-12-05T18:10:51.100000Z");
  EXPECT_EQ(rfc3339_from_postgres("2026-12-05 18:10:51+00"), "2026-12-05T18:10:51.000000Z");
}

TEST(Rfc3339FromPostgres, MatchesTheFormatterForTheSameInstant) {
  const auto t = sys_days{year{2000} / February / 29} + hours{23} + minutes{59} + seconds{58} +
                 microseconds{5};
  EXPECT_EQ(rfc3339_from_postgres("2000-02-29 23:59:58.000005+00"),
            format_rfc3339(time_point_cast<system_clock::duration>(t)));
}

TEST(Rfc3339FromPostgres, OutOfRangeYearsAreClampedLikeTheFormatter) {
  EXPECT_EQ(rfc3339_from_postgres("0044-03-15 12:00:00+00 BC"), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(rfc3339_from_postgres("12026-01-01 00:00:00+00"), "9999-12-31T23:59:59.999999Z");
}

TEST(Rfc3339FromPostgres, RefusesAnythingElse) {
  for (const char* bad : {"", "infinity", "2026-12-05T18:10:51Z", "2026-12-05 18:10:51+01",
                          "2026-12-05 18:10:51.1234567+00", "2026-12-05 18:10:51.+00",
                          "2026-12-05 18:10+00", "2026-1x-05 18:10:51+00", "2026-12-05"})
    EXPECT_THROW(rfc3339_from_postgres(bad), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace autoblog::util
