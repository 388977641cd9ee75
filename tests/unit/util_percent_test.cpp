// util::percent_decode / util::parse_query: strict escapes (a malformed one is an error, never a
// guess), '+' as space in queries only.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "util/percent.h"

namespace autoblog::util {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

TEST(PercentDecode, ValidEscapesDecodeInEitherCase) {
  EXPECT_EQ(percent_decode("%41"), "A");
  EXPECT_EQ(percent_decode("a%2fb%2Fc"), "a/b/c");
  EXPECT_EQ(percent_decode("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("%FF"), "\xFF");  // any byte: UTF-8 is checked where it matters
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain[|]\""), "plain[|]\"");  // unescaped extras pass as before
}

TEST(PercentDecode, MalformedEscapesAreRejected) {
  for (const char* bad : {"%", "%4", "a%", "%zz", "%-1", "%+1", "% 1", "%4g", "%%41", "x%0"}) {
    EXPECT_FALSE(percent_decode(bad).has_value()) << bad;
    EXPECT_FALSE(percent_decode(bad, true).has_value()) << bad;
  }
}

TEST(PercentDecode, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b"), "a+b");  // paths keep '+'
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
  EXPECT_EQ(percent_decode("a%20b", true), "a b");
}

TEST(ParseQuery, KeysAndValuesInOrder) {
  EXPECT_EQ(parse_query("status=draft&limit=5"), (Params{{"status", "draft"}, {"limit", "5"}}));
  EXPECT_EQ(parse_query("a=1&b&c=&&d=x=y"),
            (Params{{"a", "1"}, {"b", ""}, {"c", ""}, {"d", "x=y"}}));
  EXPECT_EQ(parse_query("q=hello+world&k%20ey=v%26w"),
            (Params{{"q", "hello world"}, {"k ey", "v&w"}}));
  EXPECT_EQ(parse_query(""), Params{});
  EXPECT_EQ(parse_query("a=1&a=2"), (Params{{"a", "1"}, {"a", "2"}}));
}

TEST(ParseQuery, AnyMalformedEscapeRejectsTheWholeQuery) {
  EXPECT_FALSE(parse_query("status=%-1").has_value());
  EXPECT_FALSE(parse_query("ok=1&status=%zz").has_value());
  EXPECT_FALSE(parse_query("%=1").has_value());
  EXPECT_FALSE(parse_query("limit=%4").has_value());
  EXPECT_TRUE(parse_query("status=%FF").has_value());  // well-formed; the handler decides
}

}  // namespace
}  // namespace autoblog::util
