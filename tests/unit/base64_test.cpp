// Unit tests for util/base64: RFC 4648 §10 vectors (URL alphabet, unpadded) and strictness.
#include "util/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace autoblog::util {
namespace {

const std::vector<std::pair<std::string, std::string>> kUrlVectors = {
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  for (const auto& [plain, encoded] : kUrlVectors) {
    EXPECT_EQ(base64url_encode(plain), encoded) << plain;
  }
}

TEST(Base64Url, DecodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kUrlVectors) {
    const auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64url_decode("-_-_"), bytes);
}

TEST(Base64Url, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); ++len) {
    const std::string plain = all.substr(all.size() - len);
    const std::string encoded = base64url_encode(plain);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), plain) << len;
  }
}

TEST(Base64Url, RejectsInvalidCharacters) {
  EXPECT_FALSE(base64url_decode("Zm9v+mFy"));  // standard alphabet char
  EXPECT_FALSE(base64url_decode("Zm9v/mFy"));
  EXPECT_FALSE(base64url_decode("Zm9v YmFy"));
  EXPECT_FALSE(base64url_decode("Zm9v\nYmFy"));
  EXPECT_FALSE(base64url_decode("Zm9v.mFy"));
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)));
  EXPECT_FALSE(base64url_decode("Zm9\xc3\xa9"));
}

TEST(Base64Url, RejectsPadding) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm8="));
  EXPECT_FALSE(base64url_decode("===="));
}

TEST(Base64Url, RejectsImpossibleLength) {
  EXPECT_FALSE(base64url_decode("Z"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  EXPECT_TRUE(base64url_decode("Zg"));
  EXPECT_FALSE(base64url_decode("Zh"));   // same byte 'f' with a stray low bit set
  EXPECT_FALSE(base64url_decode("Zm9"));  // "Zm8" is canonical for "fo"
}

TEST(Base64Standard, EncodesRfc4648VectorsWithPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Std, DecodesPaddedAndUnpaddedAndRoundTrips) {
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64_decode("Zm9vYg"), "foob");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("+/+/"), std::string("\xfb\xff\xbf", 3));
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 7)
    EXPECT_EQ(base64_decode(base64_encode(all.substr(len))), all.substr(len)) << len;
}

TEST(Base64Std, RejectsUrlAlphabetBadPaddingAndWhitespace) {
  EXPECT_FALSE(base64_decode("-_-_"));
  EXPECT_FALSE(base64_decode("Zm9vYg="));  // padding that does not complete a quartet
  EXPECT_FALSE(base64_decode("Zm9v===="));
  EXPECT_FALSE(base64_decode("Zm9v\nYmFy"));
  EXPECT_FALSE(base64_decode("Zh=="));  // non-zero unused bits
}

}  // namespace
}  // namespace autoblog::util
