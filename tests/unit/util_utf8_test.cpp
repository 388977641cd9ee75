// util::is_valid_utf8 / repair_utf8 / printable: what may be quoted inside a JSON body.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "util/utf8.h"

namespace autoblog::util {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST(Utf8, RepairReplacesEachBadByte) {
  EXPECT_EQ(repair_utf8("a\xFF\xFE"
                        "b"),
            "a" + kFffd + kFffd + "b");
  EXPECT_EQ(repair_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(Utf8, PrintableIsValidJsonTextWithoutControlsAndBounded) {
  const std::string quoted = printable(
      "\xFF"
      "a\nb\x01"
      "c\x7F");
  EXPECT_EQ(quoted, kFffd + "a" + kFffd + "b" + kFffd + "c" + kFffd);
  // Survives a JSON round trip (the parser rejects invalid UTF-8).
  const boost::json::value v = boost::json::parse(
      boost::json::serialize(boost::json::value{{"message", "unknown status '" + quoted + "'"}}));
  EXPECT_EQ(v.at("message").as_string(), "unknown status '" + quoted + "'");

  EXPECT_EQ(printable(std::string(500, 'x'), 10), std::string(10, 'x') + "...");
  // Never cuts inside a character: "é" is two bytes and does not fit after 9 x's.
  EXPECT_EQ(printable(std::string(9, 'x') + "\xC3\xA9", 10), std::string(9, 'x') + "...");
  EXPECT_EQ(printable("short", 10), "short");
}

}  // namespace
}  // namespace autoblog::util
