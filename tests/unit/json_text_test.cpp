// util::append_compact_json / append_json_string: response JSON written from database text.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "util/json_text.h"

namespace autoblog::util {
namespace {

std::string compact(std::string_view in) {
  std::string out;
  append_compact_json(out, in);
  return out;
}

TEST(CompactJson, DropsWhitespaceBetweenTokensOnly) {
  EXPECT_EQ(compact(R"({"a": 1, "b": [1, 2, {"c": null}]})"), R"({"a":1,"b":[1,2,{"c":null}]})");
  EXPECT_EQ(compact(R"({"k e y": "v a l"})"), R"({"k e y":"v a l"})");
  EXPECT_EQ(compact("{\n\t\"a\" :\r\n true }"), R"({"a":true})");
}

TEST(CompactJson, EscapedQuotesDoNotEndAString) {
  EXPECT_EQ(compact(R"({"a": "x \" y", "b": "\\", "c": " "})"),
            R"({"a":"x \" y","b":"\\","c":" "})");
}

TEST(CompactJson, SameValueAsTheInput) {
  const char* doc = R"({"t": ["a , b", {"x": -1.5e3, "y": "\u00e9 \\\" "}], "z": {}})";
  EXPECT_EQ(boost::json::parse(compact(doc)), boost::json::parse(doc));
  EXPECT_EQ(compact(doc).find(", "), compact(doc).find("a , b") + 2);  // only inside the string
}

TEST(JsonString, EscapesWhatJsonRequires) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\x01\xc3\xa9", 9));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
  EXPECT_EQ(boost::json::parse(out).as_string(), std::string("a\"b\\c\n\x01\xc3\xa9", 9));
}

}  // namespace
}  // namespace autoblog::util
