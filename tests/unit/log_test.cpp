// Unit tests of the JSON-lines logger: every line is one valid JSON object with ts, level, msg and
// the caller's fields, escaped correctly; levels filter; redact hides secrets.
#include "observability/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "observability/metrics.h"

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
  ASSERT_TRUE(flush_logs());  // lines are written by the queue's thread
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

// Points fd 2 at a pipe with the smallest buffer the kernel allows, which nobody reads until
// release(): the log writer thread then blocks in write(), as it would on a stalled log shipper.
class BlockedStderr {
 public:
  BlockedStderr() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    ::fcntl(fds_[1], F_SETPIPE_SZ, 4096);
    saved_ = ::dup(2);
    ::dup2(fds_[1], 2);
  }
  // Drains the pipe on a thread until the write end closes, and restores fd 2; returns what was
  // written.
  std::string release() {
    std::string out;
    std::thread reader([&] {
      char buf[4096];
      for (ssize_t n; (n = ::read(fds_[0], buf, sizeof buf)) > 0;) out.append(buf, n);
    });
    const bool drained = flush_logs(std::chrono::seconds(20));
    ::dup2(saved_, 2);
    ::close(saved_);
    ::close(fds_[1]);
    reader.join();
    ::close(fds_[0]);
    EXPECT_TRUE(drained);
    return out;
  }

 private:
  int fds_[2]{-1, -1};
  int saved_ = -1;
};

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t start = 0, nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
    boost::json::parse(s.substr(start, nl - start));  // every line that arrives is whole JSON
    ++n;
  }
  return n;
}

TEST(Log, AFullQueueDropsAndCountsInsteadOfBlockingTheCaller) {
  set_log_queue_capacity(8);
  const std::uint64_t dropped_before = log_dropped_total();
  BlockedStderr blocked;
  constexpr int kLines = 2000;  // ~200 KB: far more than the pipe and the queue together hold
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kLines; ++i) log_warn("flood", {{"i", i}, {"padding", std::string(80, 'p')}});
  const auto took = std::chrono::steady_clock::now() - start;
  const std::uint64_t dropped = log_dropped_total() - dropped_before;
  const std::string out = blocked.release();
  set_log_queue_capacity(8192);

  // Had log_warn blocked on the stalled writer, the loop would never have finished; that it did
  // is the real assertion. The bound only catches a pathological slow path.
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_GT(dropped, static_cast<std::uint64_t>(kLines / 2));
  EXPECT_EQ(count_lines(out) + dropped, static_cast<std::uint64_t>(kLines))
      << "every line is either written or counted as dropped";

  // The metrics layer exports the same count, and rendering twice does not count twice.
  Metrics metrics;
  const std::string expected =
      "autoblog_log_messages_dropped_total " + std::to_string(log_dropped_total()) + "\n";
  EXPECT_NE(metrics.render().find(expected), std::string::npos) << expected;
  EXPECT_NE(metrics.render().find(expected), std::string::npos) << expected;
}

TEST(Log, LinesArriveInOrderWithAnAmpleQueue) {
  const std::uint64_t dropped_before = log_dropped_total();
  testing::internal::CaptureStderr();
  for (int i = 0; i < 500; ++i) log_info("n", {{"i", i}});
  ASSERT_TRUE(flush_logs());
  const std::string out = testing::internal::GetCapturedStderr();
  int expected = 0;
  for (std::size_t start = 0, nl; (nl = out.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    EXPECT_EQ(boost::json::parse(out.substr(start, nl - start)).at("i").as_int64(), expected++);
  }
  EXPECT_EQ(expected, 500);
  EXPECT_EQ(log_dropped_total(), dropped_before);
  EXPECT_THROW(set_log_queue_capacity(0), std::invalid_argument);
}

TEST(Log, RedactKeepsOnlyTheLength) {
  EXPECT_EQ(redact("0123456789abcdef0123456789abcdef"), "***(32 chars)");
  EXPECT_EQ(redact(""), "***(0 chars)");
  EXPECT_EQ(redact("hunter2").find("hunter"), std::string::npos);
}

}  // namespace
}  // namespace autoblog::observability
