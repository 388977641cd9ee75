// Unit tests for storage/object_key: every spelling that could leave the tenant's prefix, alias
// another key or decode into something else later is refused; ordinary names pass unchanged.
#include "storage/object_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace autoblog::storage {
namespace {

using namespace std::string_literals;

TEST(ObjectKey, AcceptsOrdinaryKeysUnchanged) {
  const std::vector<std::string> valid = {
      "a",
      "logo.png",
      "images/2026/a b.png",
      "ünï.txt",
      "日本語/ファイル.txt",
      "emoji-\xF0\x9F\x98\x80.gif",  // U+1F600
      ".well-known/x",
      "a..b/c...d",
      "...",
      "100%.png",
      "50%-off/%zz",
      "a%2",
      "x/y/z-_.~!$&'()*+,;=:@",
      std::string(1024, 'k'),
  };
  for (const auto& key : valid) {
    std::string why;
    const auto out = validate_object_key(key, &why);
    ASSERT_TRUE(out.has_value()) << key << ": " << why;
    EXPECT_EQ(*out, key);
  }
}

TEST(ObjectKey, RejectsTraversalAndAliasing) {
  const std::vector<std::string> invalid = {
      "",      ".",    "..",
      "../x",  "a/..", "a/../b",
      "a/./b", "./a",  "../00000000-0000-0000-0000-000000000000/x",
      "/abs",  "/",    "a//b",
      "a/",    "a\\b", "..\\x",
      "\\abs",
  };
  for (const auto& key : invalid) {
    std::string why;
    EXPECT_FALSE(validate_object_key(key, &why).has_value()) << key;
    EXPECT_FALSE(why.empty()) << key;
  }
}

TEST(ObjectKey, RejectsSecondLayerOfPercentEncoding) {
  for (const std::string key :
       {"%2e%2e/x", "%2E%2E/x", "a%2Fb", "a%2fb", "%5c", "a/%00", "%41", "x%25", "a/b%2"}) {
    const bool valid = validate_object_key(key, nullptr).has_value();
    // "a/b%2" has no two hex digits after '%': it stays a literal '%'.
    EXPECT_EQ(valid, key == "a/b%2") << key;
  }
}

TEST(ObjectKey, RejectsControlCharacters) {
  for (int c = 0; c < 0x20; ++c) {
    std::string key = "a";
    key.push_back(static_cast<char>(c));
    key += "b";
    EXPECT_FALSE(validate_object_key(key, nullptr).has_value()) << c;
  }
  EXPECT_FALSE(validate_object_key("a\x7F"s, nullptr).has_value());
  EXPECT_FALSE(validate_object_key("a\0b"s, nullptr).has_value());
  EXPECT_FALSE(validate_object_key("line\nbreak", nullptr).has_value());
}

TEST(ObjectKey, RejectsOverlongKeys) {
  EXPECT_TRUE(validate_object_key(std::string(1024, 'a'), nullptr).has_value());
  std::string why;
  EXPECT_FALSE(validate_object_key(std::string(1025, 'a'), &why).has_value());
  EXPECT_NE(why.find("1024"), std::string::npos);
  // The limit is in bytes, not characters: 513 two-byte characters are 1026 bytes.
  std::string wide;
  for (int i = 0; i < 513; ++i) wide += "\xC3\xA9";
  EXPECT_FALSE(validate_object_key(wide, nullptr).has_value());
}

TEST(ObjectKey, RejectsInvalidUtf8) {
  const std::vector<std::string> invalid = {
      "\x80",              // stray continuation byte
      "a\xC3",             // truncated sequence
      "\xC3\x28",          // bad continuation
      "\xC0\xAF",          // overlong '/'
      "\xC1\xBF",          // overlong
      "\xE0\x80\xAF",      // overlong '/' (3 bytes)
      "\xF0\x80\x80\xAF",  // overlong '/' (4 bytes)
      "\xED\xA0\x80",      // UTF-16 surrogate U+D800
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xF5\x80\x80\x80",  // invalid lead byte
      "\xFF",
      "\xC0\xAE\xC0\xAE/x",  // overlong ".." — must not sneak past the segment check
  };
  for (const auto& key : invalid) {
    std::string why;
    EXPECT_FALSE(validate_object_key(key, &why).has_value()) << testing::PrintToString(key);
  }
  EXPECT_TRUE(validate_object_key("\xF4\x8F\xBF\xBF", nullptr).has_value());  // U+10FFFF
  EXPECT_TRUE(validate_object_key("\xEF\xBB\xBF", nullptr).has_value());      // U+FEFF
}

TEST(ObjectKey, PrefixRules) {
  EXPECT_EQ(validate_object_key("", nullptr, true), "");
  EXPECT_EQ(validate_object_key("images/", nullptr, true), "images/");
  EXPECT_EQ(validate_object_key("images/20", nullptr, true), "images/20");
  EXPECT_FALSE(validate_object_key("images//", nullptr, true).has_value());
  EXPECT_FALSE(validate_object_key("../", nullptr, true).has_value());
  EXPECT_FALSE(validate_object_key("..", nullptr, true).has_value());
  EXPECT_FALSE(validate_object_key("/", nullptr, true).has_value());
  EXPECT_FALSE(validate_object_key("a%2F", nullptr, true).has_value());
  EXPECT_FALSE(validate_object_key(std::string(1025, 'p'), nullptr, true).has_value());
  // Keys still may not end in '/'.
  EXPECT_FALSE(validate_object_key("images/", nullptr).has_value());
}

}  // namespace
}  // namespace autoblog::storage
