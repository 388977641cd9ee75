// Unit tests of the JSON-lines logger: every line is one valid JSON object with ts, level, msg and
// the caller's fields, escaped correctly; levels filter; redact hides secrets.
#include "observability/log.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

namespace autoblog::observability {
namespace {

using namespace std::chrono;

// 2026-11-28T14:00:00.123Z
const system_clock::time_point kTs =
    sys_days{year{2026} / November / 28} + hours{14} + milliseconds{123};

// Restores the default level so tests do not leak state into each other.
struct LevelGuard {
  ~LevelGuard() { init_logging("info"); }
};

TEST(Log, LineHasTimestampLevelMessageThenFieldsInOrder) {
  const std::string line = format_log_line(
      Level::info, "request done",
      {{"request_id", "r-1"}, {"tenant_id", "t-9"}, {"status", 200}, {"ok", true}}, kTs);
  EXPECT_EQ(line, R"({"ts":"2026-11-28T14:00:00.123Z","level":"info","msg":"request done",)"
                  R"("request_id":"r-1","tenant_id":"t-9","status":200,"ok":true})");
}

TEST(Log, TimestampIsRfc3339UtcWithZeroPaddedMilliseconds) {
  const auto ts = sys_days{year{2027} / January / 2} + hours{3} + minutes{4} + seconds{5} +
                  milliseconds{7} + microseconds{999};  // truncated, not rounded
  const auto v = boost::json::parse(format_log_line(Level::warn, "x", {}, ts));
  EXPECT_EQ(v.at("ts").as_string(), "2027-01-02T03:04:05.007Z");
  EXPECT_EQ(v.at("level").as_string(), "warn");
}

TEST(Log, QuotesNewlinesAndControlCharactersAreEscaped) {
  const std::string msg = "he said \"hi\"\nand left\t\\ \x01";
  const std::string value = "multi\nline \"quoted\" {json}";
  const std::string line = format_log_line(Level::error, msg, {{"detail", value}}, kTs);

  EXPECT_EQ(line.find('\n'), std::string::npos);  // one line, whatever the content
  EXPECT_EQ(line.find('\t'), std::string::npos);
  const boost::json::value v = boost::json::parse(line);  // throws if not valid JSON
  EXPECT_EQ(v.at("msg").as_string(), msg);
  EXPECT_EQ(v.at("detail").as_string(), value);
  EXPECT_EQ(v.at("level").as_string(), "error");
}

TEST(Log, FieldValuesKeepTheirJsonTypes) {
  const std::string owned = "from std::string";
  boost::json::object nested{{"a", 1}, {"b", boost::json::array{1, "two"}}};
  const auto v = boost::json::parse(format_log_line(
      Level::debug, "m",
      {{"s", owned}, {"i", -3}, {"d", 0.25}, {"n", nullptr}, {"o", nested}, {"b", false}}, kTs));
  EXPECT_EQ(v.at("s").as_string(), owned);
  EXPECT_EQ(v.at("i").as_int64(), -3);
  EXPECT_EQ(v.at("d").as_double(), 0.25);
  EXPECT_TRUE(v.at("n").is_null());
  EXPECT_EQ(v.at("o"), boost::json::value(nested));
  EXPECT_EQ(v.at("b").as_bool(), false);

  const char* missing = nullptr;
  const std::string_view view = "a view";
  const auto w = boost::json::parse(
      format_log_line(Level::info, "m", {{"p", missing}, {"v", view}, {"u", 7u}}, kTs));
  EXPECT_TRUE(w.at("p").is_null());
  EXPECT_EQ(w.at("v").as_string(), "a view");
  EXPECT_EQ(w.at("u").to_number<unsigned>(), 7u);
}

TEST(Log, FieldsCannotOverrideReservedKeysAndFirstDuplicateWins) {
  const auto v = boost::json::parse(format_log_line(
      Level::info, "real", {{"msg", "fake"}, {"level", "error"}, {"k", 1}, {"k", 2}}, kTs));
  EXPECT_EQ(v.at("msg").as_string(), "real");
  EXPECT_EQ(v.at("level").as_string(), "info");
  EXPECT_EQ(v.at("k").as_int64(), 1);
  EXPECT_EQ(v.as_object().size(), 4u);
}

TEST(Log, InvalidUtf8IsRepairedSoTheLineStaysValidJson) {
  const std::string bad = "path /a\xff\xfe/b \xc3";         // stray bytes and a truncated sequence
  const std::string good = "caf\xc3\xa9 \xf0\x9f\x98\x80";  // café 😀 passes through untouched
  const boost::json::object nested{{"k\xff", "v\x80"}};
  const std::string line =
      format_log_line(Level::info, bad, {{"good", good}, {"bad", bad}, {"nested", nested}}, kTs);
  const boost::json::value v = boost::json::parse(line);  // the parser rejects invalid UTF-8
  EXPECT_EQ(v.at("msg").as_string(), "path /a\xEF\xBF\xBD\xEF\xBF\xBD/b \xEF\xBF\xBD");
  EXPECT_EQ(v.at("bad").as_string(), v.at("msg").as_string());
  EXPECT_EQ(v.at("good").as_string(), good);
  EXPECT_EQ(v.at("nested").at("k\xEF\xBF\xBD").as_string(), "v\xEF\xBF\xBD");
}

TEST(Log, InitLoggingAcceptsKnownLevelsAndRejectsOthers) {
  LevelGuard guard;
  EXPECT_TRUE(log_enabled(Level::info));  // default before/without init
  EXPECT_FALSE(log_enabled(Level::debug));

  init_logging("error");
  EXPECT_FALSE(log_enabled(Level::warn));
  EXPECT_TRUE(log_enabled(Level::error));
  init_logging("trace");
  EXPECT_TRUE(log_enabled(Level::trace));
  init_logging("warn");
  EXPECT_FALSE(log_enabled(Level::info));
  EXPECT_TRUE(log_enabled(Level::warn));

  EXPECT_THROW(init_logging("verbose"), std::invalid_argument);
  EXPECT_THROW(init_logging("INFO"), std::invalid_argument);
  EXPECT_THROW(init_logging(""), std::invalid_argument);
  EXPECT_TRUE(log_enabled(Level::warn));  // unchanged by the failed calls
  EXPECT_FALSE(log_enabled(Level::info));
}

TEST(Log, WritesOneJsonLinePerCallToStderrAndFiltersByLevel) {
  LevelGuard guard;
  init_logging("info");
  testing::internal::CaptureStderr();
  log_debug("hidden");
  log_info("shown \"1\"", {{"request_id", "abc"}});
  log_warn("second\nline", {{"tenant_id", "t"}});
  log_error("third");
  const std::string out = testing::internal::GetCapturedStderr();

  std::vector<boost::json::value> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(boost::json::parse(out.substr(start, nl - start)));
  EXPECT_EQ(start, out.size()) << "output must end with a newline";
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0].at("msg").as_string(), "shown \"1\"");
  EXPECT_EQ(lines[0].at("level").as_string(), "info");
  EXPECT_EQ(lines[0].at("request_id").as_string(), "abc");
  EXPECT_EQ(lines[1].at("msg").as_string(), "second\nline");
  EXPECT_EQ(lines[1].at("tenant_id").as_string(), "t");
  EXPECT_EQ(lines[2].at("level").as_string(), "error");
  EXPECT_EQ(lines[2].at("ts").as_string().size(), std::string("2026-11-28T14:00:00.123Z").size());
}

TEST(Log, RedactKeepsOnlyTheLength) {
  EXPECT_EQ(redact("0123456789abcdef0123456789abcdef"), "***(32 chars)");
  EXPECT_EQ(redact(""), "***(0 chars)");
  EXPECT_EQ(redact("hunter2").find("hunter"), std::string::npos);
}

}  // namespace
}  // namespace autoblog::observability
