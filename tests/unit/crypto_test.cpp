// Unit tests for util/crypto against published test vectors (FIPS 180, RFC 1321, RFC 4231).
#include "util/crypto.h"

#include <gtest/gtest.h>

#include <string>

namespace autoblog::util {
namespace {

TEST(Crypto, HexIsLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
}

TEST(Crypto, FromHexInvertsToHexAndRefusesNonHex) {
  EXPECT_EQ(from_hex(""), std::string());
  EXPECT_EQ(from_hex("000fA0ff"), std::string("\x00\x0f\xa0\xff", 4));
  EXPECT_EQ(from_hex(to_hex(sha256("x"))), sha256("x"));
  EXPECT_EQ(from_hex("abc"), std::nullopt);  // odd length
  EXPECT_EQ(from_hex("0g"), std::nullopt);
  EXPECT_EQ(from_hex("0 "), std::nullopt);
}

TEST(Crypto, DigestsMatchKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(sha256("abc").size(), 32u);
  EXPECT_EQ(sha1("abc").size(), 20u);
  EXPECT_EQ(md5("abc").size(), 16u);
  // Binary input with embedded NULs is hashed whole.
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));
}

TEST(Crypto, HmacSha256MatchesRfc4231) {
  // Test case 1: 20 bytes of 0x0b, "Hi There".
  EXPECT_EQ(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2.
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(to_hex(hmac_sha256(std::string(131, '\xaa'),
                               "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // An empty key is valid.
  EXPECT_EQ(hmac_sha256("", "data").size(), 32u);
}

}  // namespace
}  // namespace autoblog::util
