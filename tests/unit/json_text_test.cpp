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

// Escapes first, last, next to each other, and none at all; every byte below 0x20 round-trips.
TEST(JsonString, EscapesAnywhereInTheText) {
  auto quoted = [](std::string_view text) {
    std::string out = "x";  // appended to, not replaced
    append_json_string(out, text);
    return out;
  };
  EXPECT_EQ(quoted(""), "x\"\"");
  EXPECT_EQ(quoted("plain text"), "x\"plain text\"");
  EXPECT_EQ(quoted("\"start"), "x\"\\\"start\"");
  EXPECT_EQ(quoted("end\\"), "x\"end\\\\\"");
  EXPECT_EQ(quoted("\t\r\n"), "x\"\\t\\r\\n\"");
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  controls += "tail";
  std::string out;
  append_json_string(out, controls);
  EXPECT_EQ(boost::json::parse(out).as_string(), controls);
}

}  // namespace
}  // namespace autoblog::util
