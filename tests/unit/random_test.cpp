// Unit tests for util/random: CSPRNG helpers and UUID text validation.
#include "util/random.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace autoblog::util {
namespace {

bool IsLowerHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(RandomBytes, HasRequestedSizeAndVaries) {
  EXPECT_TRUE(random_bytes(0).empty());
  const std::string a = random_bytes(32);
  const std::string b = random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);  // 2^-256 chance of a false failure
}

TEST(RandomHex, IsLowercaseHexOfTwiceTheLength) {
  const std::string h = random_hex(16);
  EXPECT_EQ(h.size(), 32u);
  EXPECT_TRUE(IsLowerHex(h)) << h;
  EXPECT_TRUE(random_hex(0).empty());
}

TEST(UuidV4, IsCanonicalLowercaseVersion4) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = uuid_v4();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_TRUE(is_uuid(id)) << id;
    EXPECT_EQ(id, normalize_uuid(id));
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  }
}

TEST(UuidV4, IsUniqueOver1000Draws) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(uuid_v4());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IsUuid, AcceptsEitherCase) {
  EXPECT_TRUE(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(is_uuid("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_TRUE(is_uuid("00000000-0000-0000-0000-000000000000"));
}

TEST(IsUuid, RejectsNonCanonicalForms) {
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400"));    // 35 chars
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-4266141740000"));  // 37 chars
  EXPECT_FALSE(is_uuid("123e4567e89b12d3a456426614174000"));       // no dashes
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a4564-26614174000"));   // dash misplaced
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456_426614174000"));   // wrong separator
  EXPECT_FALSE(is_uuid("123g4567-e89b-12d3-a456-426614174000"));   // non-hex
  EXPECT_FALSE(is_uuid("{23e4567-e89b-12d3-a456-42661417400}"));   // braces
  EXPECT_FALSE(is_uuid(" 23e4567-e89b-12d3-a456-426614174000"));   // whitespace
  EXPECT_FALSE(is_uuid("urn:uuid:123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid(std::string("123e4567-e89b-12d3-a456-42661417400\0", 36)));
  EXPECT_FALSE(is_uuid("------------------------------------"));
}

// Every one of the 32 digit positions is checked, and only the four dash positions take '-'.
TEST(IsUuid, ChecksEveryPosition) {
  const std::string good = "123e4567-e89b-12d3-a456-426614174000";
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = good[i] == '-' ? 'a' : 'x';
    EXPECT_FALSE(is_uuid(bad)) << i;
    if (good[i] != '-') {
      bad[i] = '-';
      EXPECT_FALSE(is_uuid(bad)) << i;
    }
  }
}

TEST(NormalizeUuid, Lowercases) {
  EXPECT_EQ(normalize_uuid("123E4567-E89B-12D3-A456-42661417400F"),
            "123e4567-e89b-12d3-a456-42661417400f");
}

}  // namespace
}  // namespace autoblog::util
