// Unit tests for the pure pieces of the HTTP conventions: the Date header's IMF-fixdate, byte
// ranges and entity-tag conditions on downloads, the head of a response on the wire (HEAD,
// Date, Content-Length of a streamed body), S3's Content-Range, and the Bearer challenge.
#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "http/errors.h"
#include "http/http_date.h"
#include "http/ranges.h"
#include "http/wire.h"
#include "storage/s3_reader.h"

namespace autoblog::http {
namespace {

std::string date_of(std::int64_t t) {
  char buf[kHttpDateSize];
  format_http_date(t, buf);
  return std::string(buf, kHttpDateSize);
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(date_of(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(date_of(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(date_of(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");  // leap day, century
  EXPECT_EQ(date_of(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
  EXPECT_EQ(date_of(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
}

TEST(HttpDate, AgreesWithGmtimeOverManyDays) {
  for (std::int64_t t = 0; t < 4102444800; t += 86400 * 37 + 3671) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char expected[64];
    std::strftime(expected, sizeof expected, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ASSERT_EQ(date_of(t), expected) << t;
  }
}

TEST(HttpDate, SharedCacheGivesTheCurrentSecondFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 20000; ++n) {
        std::string out = "x";
        const auto before = std::time(nullptr);
        append_http_date(out);
        const auto after = std::time(nullptr);
        const auto text = out.substr(1);
        // The coarse clock may lag the precise one by a tick: allow the second before. A torn
        // read would match none of them.
        if (text != date_of(before) && text != date_of(after) && text != date_of(before - 1))
          ++bad[i];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad, std::vector<int>(4, 0));
}

TEST(ByteRanges, SingleRangesAgainstTheObjectSize) {
  auto d = decide_range("bytes=0-9", 100);
  EXPECT_EQ(d.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(d.range.first, 0u);
  EXPECT_EQ(d.range.last, 9u);
  EXPECT_EQ(d.range.length(), 10u);
  d = decide_range("bytes=90-", 100);
  EXPECT_EQ(d.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(d.range.first, 90u);
  EXPECT_EQ(d.range.last, 99u);
  d = decide_range("bytes=90-1000", 100);  // clipped to the end
  EXPECT_EQ(d.range.last, 99u);
  d = decide_range("bytes=-30", 100);  // the last 30
  EXPECT_EQ(d.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(d.range.first, 70u);
  EXPECT_EQ(d.range.last, 99u);
  d = decide_range("bytes=-500", 100);  // longer than the object: all of it
  EXPECT_EQ(d.range.first, 0u);
  EXPECT_EQ(d.range.last, 99u);
  d = decide_range("BYTES= 5-5 ", 100);  // unit in any case, optional whitespace
  EXPECT_EQ(d.outcome, RangeOutcome::kPartial);
  EXPECT_EQ(d.range.length(), 1u);
}

TEST(ByteRanges, UnsatisfiableRanges) {
  EXPECT_EQ(decide_range("bytes=100-", 100).outcome, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(decide_range("bytes=100-200", 100).outcome, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(decide_range("bytes=-0", 100).outcome, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(decide_range("bytes=0-", 0).outcome, RangeOutcome::kUnsatisfiable);  // empty object
  EXPECT_EQ(decide_range("bytes=-5", 0).outcome, RangeOutcome::kUnsatisfiable);
}

TEST(ByteRanges, IgnoredRangesGiveTheWholeObject) {
  for (const char* h :
       {"bytes=0-1,5-6", "items=0-5", "bytes=", "bytes=abc", "bytes=5-1", "bytes=1-2-3",
        "bytes=--5", "bytes=+1-2", "bytes=99999999999999999999-", "", "bytes 0-5"}) {
    EXPECT_EQ(decide_range(h, 100).outcome, RangeOutcome::kWhole) << h;
  }
}

TEST(ByteRanges, StartBeforeTheSizeIsKnown) {
  EXPECT_EQ(range_start("bytes=10-20"), 10u);
  EXPECT_EQ(range_start("bytes=7-"), 7u);
  EXPECT_EQ(range_start("bytes=-7"), std::nullopt);
  EXPECT_EQ(range_start("bytes=0-1,4-5"), std::nullopt);
  EXPECT_EQ(range_start("junk"), std::nullopt);
}

TEST(EntityTags, IfNoneMatchUsesWeakComparison) {
  const std::string etag = "\"abc\"";
  EXPECT_TRUE(none_match("\"abc\"", etag));
  EXPECT_TRUE(none_match("W/\"abc\"", etag));
  EXPECT_TRUE(none_match("\"x\", \"abc\"", etag));
  EXPECT_TRUE(none_match("*", etag));
  EXPECT_FALSE(none_match("\"abd\"", etag));
  EXPECT_FALSE(none_match("abc", etag));  // unquoted is not the same tag
  EXPECT_FALSE(none_match("", etag));
}

TEST(EntityTags, IfRangeNeedsAStrongMatch) {
  EXPECT_TRUE(if_range_matches("\"abc\"", "\"abc\""));
  EXPECT_FALSE(if_range_matches("W/\"abc\"", "\"abc\""));
  EXPECT_FALSE(if_range_matches("\"abd\"", "\"abc\""));
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"abc\""));
}

class FixedStream final : public BodyStream {
 public:
  std::uint64_t size() const override { return 12345; }
  boost::asio::awaitable<std::string_view> next() override { co_return std::string_view(); }
};

TEST(Wire, HeadAnswersCarryTheGetHeadWithoutItsBody) {
  Response res = Response::json(200, "{\"ok\":true}");
  auto w = to_wire(std::move(res), 11, true, {}, /*head_request=*/true);
  EXPECT_NE(w.head.find("\r\nContent-Length: 11\r\n"), std::string::npos) << w.head;
  EXPECT_TRUE(w.body.empty());
  EXPECT_NE(w.head.find("\r\nDate: "), std::string::npos) << w.head;
}

TEST(Wire, StreamedBodyDeclaresItsSizeAndIsHandedOn) {
  Response res;
  res.content_type = "application/octet-stream";
  res.body_stream = std::make_shared<FixedStream>();
  auto w = to_wire(std::move(res), 11, true);
  EXPECT_NE(w.head.find("\r\nContent-Length: 12345\r\n"), std::string::npos) << w.head;
  EXPECT_NE(w.stream, nullptr);
  Response head_res;
  head_res.body_stream = std::make_shared<FixedStream>();
  auto h = to_wire(std::move(head_res), 11, true, {}, /*head_request=*/true);
  EXPECT_NE(h.head.find("\r\nContent-Length: 12345\r\n"), std::string::npos);
  EXPECT_EQ(h.stream, nullptr);  // never read for HEAD
}

// The rate limit's headers are numbers kept as such until the head is written.
TEST(Wire, NumberHeadersAreWrittenAfterTheOthers) {
  Response res = Response::json(200, "{}");
  res.headers.emplace_back("X-Request-Id", "abc");
  NumberHeaders on_request;
  on_request.add({"X-RateLimit-Limit", 1000});
  on_request.add({"X-RateLimit-Remaining", 0});
  on_request.add({"X-RateLimit-Reset", -1});  // formatted as given, sign included
  res.number_headers.add_all(on_request);
  auto w = to_wire(std::move(res), 11, true);
  EXPECT_NE(w.head.find("\r\nX-Request-Id: abc\r\nX-RateLimit-Limit: 1000\r\n"
                        "X-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: -1\r\n"),
            std::string::npos)
      << w.head;
  NumberHeaders full;
  for (std::size_t i = 0; i < NumberHeaders::kCapacity; ++i) full.add({"X-N", 1});
  EXPECT_THROW(full.add({"X-N", 1}), std::length_error);
  EXPECT_EQ(full.items().size(), NumberHeaders::kCapacity);
}

TEST(Wire, EveryResponseHasOneDateAndNotModifiedHasNoLength) {
  Response res;
  res.status = 304;
  res.content_type.clear();
  auto w = to_wire(std::move(res), 11, true);
  const auto first = w.head.find("\r\nDate: ");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(w.head.find("\r\nDate: ", first + 1), std::string::npos);
  EXPECT_EQ(w.head.find("Content-Length"), std::string::npos) << w.head;
}

TEST(BearerChallenge, UnauthorizedNamesTheScheme) {
  Unauthorized missing("missing bearer token");
  ASSERT_EQ(missing.headers().size(), 1u);
  EXPECT_EQ(missing.headers()[0].first, "WWW-Authenticate");
  EXPECT_EQ(missing.headers()[0].second, "Bearer");
  Unauthorized bad("invalid token: expired", /*token_given=*/true);
  EXPECT_EQ(bad.headers()[0].second, "Bearer error=\"invalid_token\"");
}

TEST(S3ContentRange, ParsesOnlyWellFormedRanges) {
  auto r = storage::s3::ParseContentRange("bytes 0-1048575/5000000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 0u);
  EXPECT_EQ(r->last, 1048575u);
  EXPECT_EQ(r->total, 5000000u);
  for (const char* bad : {"bytes */100", "bytes 5-4/100", "bytes 0-100/100", "items 0-1/2",
                          "bytes 0-1", "bytes a-b/c", ""}) {
    EXPECT_FALSE(storage::s3::ParseContentRange(bad)) << bad;
  }
}

}  // namespace
}  // namespace autoblog::http
