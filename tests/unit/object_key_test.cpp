// Unit tests for storage/object_key: every spelling that could leave the tenant's prefix, alias
// another key or decode into something else later is refused; ordinary names pass unchanged.
#include "storage/object_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/object_storage.h"

namespace autoblog::storage {
namespace {

using namespace std::string_literals;

TEST(ObjectKey, AcceptsOrdinaryKeysUnchanged) {
  // Named, not a temporary: GCC 12 -O2 warns falsely (-Warray-bounds) on temporary + literal.
  const std::string k255(255, 'k');
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
      std::string(255, 'k'),
      k255 + "/" + k255 + "/" + k255 + "/" + std::string(211, 'k'),  // 979 bytes
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

TEST(ObjectKey, LimitsLeaveRoomForTheTenantPrefix) {
  // "tenants/" + UUID + "/" + key must fit S3's 1024 bytes.
  EXPECT_EQ(
      kMaxObjectKeyBytes + std::string("tenants/00000000-0000-0000-0000-000000000000/").size(),
      1024u);
  EXPECT_EQ(kMaxObjectKeyBytes, 979u);
  EXPECT_EQ(kMaxKeySegmentBytes, 255u);
}

TEST(ObjectKey, RejectsOverlongKeys) {
  const auto key_of = [](std::size_t n) {
    // n bytes in segments of 200 (so only the total length matters)
    std::string k;
    while (k.size() < n) {
      if (!k.empty()) k += '/';
      k += std::string(std::min<std::size_t>(200, n - k.size()), 'a');
    }
    return k;
  };
  EXPECT_EQ(key_of(979).size(), 979u);
  EXPECT_TRUE(validate_object_key(key_of(979), nullptr).has_value());
  for (std::size_t n : {980u, 1024u, 1025u}) {
    std::string why;
    EXPECT_FALSE(validate_object_key(key_of(n), &why).has_value()) << n;
    EXPECT_EQ(why, "object key is longer than 979 bytes") << n;
    EXPECT_FALSE(validate_object_key(key_of(n), &why, true).has_value()) << n;
    EXPECT_EQ(why, "prefix is longer than 979 bytes") << n;
  }
  // The limit is in bytes, not characters: four segments of 120 x 'é' (240 bytes each) and
  // one of 6 are 976 bytes; one more 'é' makes 978 (valid), another 980 (490 characters).
  std::string e120;
  for (int i = 0; i < 120; ++i) e120 += "\xC3\xA9";
  std::string wide = e120 + "/" + e120 + "/" + e120 + "/" + e120 + "/" + e120.substr(0, 12);
  ASSERT_EQ(wide.size(), 976u);
  EXPECT_TRUE(validate_object_key(wide, nullptr).has_value());
  EXPECT_TRUE(validate_object_key(wide + "\xC3\xA9", nullptr).has_value());
  EXPECT_FALSE(validate_object_key(wide + "\xC3\xA9\xC3\xA9", nullptr).has_value());
}

TEST(ObjectKey, RejectsPathSegmentsLongerThanAFileName) {
  std::string why;
  EXPECT_TRUE(validate_object_key(std::string(255, 's'), nullptr).has_value());
  EXPECT_TRUE(validate_object_key("d/" + std::string(255, 's') + "/f", nullptr).has_value());
  for (const std::string& key :
       {std::string(256, 's'), "d/" + std::string(256, 's'), std::string(256, 's') + "/f",
        "a/" + std::string(300, 's') + "/b"}) {
    EXPECT_FALSE(validate_object_key(key, &why).has_value()) << key.size();
    EXPECT_EQ(why, "object key has a path segment longer than 255 bytes");
  }
  // Bytes, not characters: 128 x 'é' is a 256-byte segment.
  std::string e128;
  for (int i = 0; i < 128; ++i) e128 += "\xC3\xA9";
  EXPECT_FALSE(validate_object_key("d/" + e128, nullptr).has_value());
  EXPECT_TRUE(validate_object_key("d/" + e128.substr(2), nullptr).has_value());
  // List prefixes follow the same rule (a prefix names the same directories).
  EXPECT_FALSE(validate_object_key(std::string(256, 'p'), &why, true).has_value());
  EXPECT_EQ(why, "prefix has a path segment longer than 255 bytes");
  const std::string p255(255, 'p');
  EXPECT_TRUE(validate_object_key(p255 + "/", nullptr, true).has_value());
}

TEST(ObjectKey, BackendGuardsThrowInvalidKey) {
  EXPECT_THROW(checked_key(std::string(256, 's')), InvalidKey);
  EXPECT_THROW(checked_key(std::string(980, 's')), InvalidKey);
  EXPECT_THROW(checked_prefix("d/" + std::string(256, 's')), InvalidKey);
  EXPECT_EQ(checked_key("ok/" + std::string(255, 's')), "ok/" + std::string(255, 's'));
  // A malformed cursor is not a key error (the API tells the two apart).
  try {
    decode_list_cursor("!!");
    FAIL() << "no exception";
  } catch (const InvalidKey&) {
    FAIL() << "a cursor error must not be an InvalidKey";
  } catch (const std::invalid_argument&) {
  }
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
  EXPECT_FALSE(validate_object_key(std::string(980, 'p'), nullptr, true).has_value());
  // Keys still may not end in '/'.
  EXPECT_FALSE(validate_object_key("images/", nullptr).has_value());
}

}  // namespace
}  // namespace autoblog::storage
