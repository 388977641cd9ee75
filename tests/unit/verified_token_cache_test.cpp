#include <gtest/gtest.h>

#include "auth/verified_token_cache.h"

using namespace autoblog::auth;

namespace {
JwtClaims claims(std::int64_t exp) {
  JwtClaims c;
  c.tenant_id = "0b6f3b3e-8a59-4a2b-9d53-2f1b4c6d7e8f";
  c.exp = exp;
  return c;
}
}  // namespace

TEST(VerifiedTokenCache, ReturnsClaimsOnlyForTheExactTokenBeforeExpiry) {
  VerifiedTokenCache cache;
  cache.insert("aaa.bbb.ccc", std::make_shared<const JwtClaims>(claims(1000)));
  auto hit = cache.find("aaa.bbb.ccc", 999);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->tenant_id, "0b6f3b3e-8a59-4a2b-9d53-2f1b4c6d7e8f");
  EXPECT_FALSE(cache.find("aaa.bbb.ccd", 999));   // one byte off: never a hit
  EXPECT_FALSE(cache.find("aaa.bbb.cc", 999));
  EXPECT_FALSE(cache.find("aaa.bbb.ccc", 1000));  // expired at exp, like the verifier
  EXPECT_FALSE(cache.find("aaa.bbb.ccc", 999));   // and dropped
}

TEST(VerifiedTokenCache, StaysBoundedUnderManyTokens) {
  VerifiedTokenCache cache(64);
  for (int i = 0; i < 10000; ++i)
    cache.insert("token-" + std::to_string(i), std::make_shared<const JwtClaims>(claims(1000)));
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += (cache.find("token-" + std::to_string(i), 1) != nullptr);
  EXPECT_LE(hits, 64);
  EXPECT_GT(hits, 0);
}
