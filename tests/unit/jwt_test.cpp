// Unit tests for auth/jwt (pinned HS256, claim rules) and auth/secure_compare.
// Hostile tokens are built by hand here, with OpenSSL computing whatever MAC the attack needs.
#include "auth/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "auth/secure_compare.h"
#include "util/base64.h"

namespace autoblog::auth {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";
const std::string kTenant = "123e4567-e89b-42d3-a456-426614174000";
constexpr std::int64_t kNow = 1'700'000'000;

std::string Mac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// Builds header.payload.signature from raw JSON texts, signed with `md` under `key`.
std::string Craft(std::string_view header, std::string_view payload,
                  const EVP_MD* md = EVP_sha256(), std::string_view key = kSecret) {
  const std::string signing_input =
      util::base64url_encode(header) + "." + util::base64url_encode(payload);
  return signing_input + "." + util::base64url_encode(Mac(md, key, signing_input));
}

std::string Payload(std::int64_t exp) {
  return R"({"tenant_id":")" + kTenant + R"(","exp":)" + std::to_string(exp) + "}";
}

// Designated initializers would trip -Wmissing-field-initializers for the optionals.
JwtClaims Claims(std::int64_t exp, std::string tenant = kTenant) {
  JwtClaims claims;
  claims.tenant_id = std::move(tenant);
  claims.exp = exp;
  return claims;
}

constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

JwtError ErrorOf(const std::variant<JwtClaims, JwtError>& result) {
  EXPECT_TRUE(std::holds_alternative<JwtError>(result)) << "token unexpectedly accepted";
  return std::holds_alternative<JwtError>(result) ? std::get<JwtError>(result)
                                                  : JwtError::kMalformed;
}

class JwtTest : public ::testing::Test {
 protected:
  JwtError VerifyError(std::string_view token, std::int64_t now = kNow) const {
    return ErrorOf(codec_.verify(token, now));
  }
  JwtCodec codec_{kSecret};
};

TEST_F(JwtTest, RoundTripsAllClaims) {
  JwtClaims claims;
  claims.tenant_id = "123E4567-E89B-42D3-A456-426614174000";
  claims.exp = kNow + 3600;
  claims.iat = kNow;
  claims.sub = "user-1";
  claims.jti = "abc";
  const std::string token = codec_.sign(claims);

  const auto header_b64 = token.substr(0, token.find('.'));
  EXPECT_EQ(util::base64url_decode(header_b64), R"({"alg":"HS256","typ":"JWT"})");

  const auto result = codec_.verify(token, kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result)) << describe(std::get<JwtError>(result));
  const JwtClaims& got = std::get<JwtClaims>(result);
  EXPECT_EQ(got.tenant_id, kTenant);  // normalized to lowercase
  EXPECT_EQ(got.exp, kNow + 3600);
  EXPECT_EQ(got.iat, kNow);
  EXPECT_EQ(got.sub, "user-1");
  EXPECT_EQ(got.jti, "abc");
}

TEST_F(JwtTest, RoundTripsMinimalClaimsAndCopies) {
  const std::string token = codec_.sign(Claims(kNow + 1));
  const JwtCodec copy = codec_;
  const auto result = copy.verify(token, kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result));
  const JwtClaims& got = std::get<JwtClaims>(result);
  EXPECT_FALSE(got.iat.has_value());
  EXPECT_FALSE(got.sub.has_value());
  EXPECT_FALSE(got.jti.has_value());
}

TEST_F(JwtTest, AcceptsHandBuiltHs256WithoutTyp) {
  const auto result = codec_.verify(Craft(R"({"alg":"HS256"})", Payload(kNow + 10)), kNow);
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(result));
}

TEST_F(JwtTest, RejectsExpired) {
  EXPECT_EQ(VerifyError(codec_.sign(Claims(kNow - 1))), JwtError::kExpired);
}

TEST_F(JwtTest, RejectsExactlyAtExpiry) {
  const std::string token = codec_.sign(Claims(kNow));
  EXPECT_EQ(VerifyError(token, kNow), JwtError::kExpired);
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(codec_.verify(token, kNow - 1)));
}

TEST_F(JwtTest, RejectsNotBeforeInFuture) {
  const std::string payload = R"({"tenant_id":")" + kTenant + R"(","exp":)" +
                              std::to_string(kNow + 100) + R"(,"nbf":)" + std::to_string(kNow + 1) +
                              "}";
  const std::string token = Craft(kHs256Header, payload);
  EXPECT_EQ(VerifyError(token), JwtError::kNotYetValid);
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(codec_.verify(token, kNow + 1)));
}

TEST_F(JwtTest, RejectsAlgNoneWithEmptySignature) {
  const std::string token = util::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                            util::base64url_encode(Payload(kNow + 100)) + ".";
  EXPECT_EQ(VerifyError(token), JwtError::kUnsupportedAlgorithm);
}

TEST_F(JwtTest, RejectsAlgNoneEvenWithValidHs256Mac) {
  EXPECT_EQ(VerifyError(Craft(R"({"alg":"none"})", Payload(kNow + 100))),
            JwtError::kUnsupportedAlgorithm);
}

TEST_F(JwtTest, RejectsHs512SignedWithSameSecret) {
  const std::string token =
      Craft(R"({"alg":"HS512","typ":"JWT"})", Payload(kNow + 100), EVP_sha512());
  EXPECT_EQ(VerifyError(token), JwtError::kUnsupportedAlgorithm);
}

TEST_F(JwtTest, RejectsHs384SignedWithSameSecret) {
  const std::string token =
      Craft(R"({"alg":"HS384","typ":"JWT"})", Payload(kNow + 100), EVP_sha384());
  EXPECT_EQ(VerifyError(token), JwtError::kUnsupportedAlgorithm);
}

TEST_F(JwtTest, RejectsAsymmetricAlgWithHmacSignature) {
  for (const char* alg : {"RS256", "ES256", "PS256", "EdDSA"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})";
    EXPECT_EQ(VerifyError(Craft(header, Payload(kNow + 100))), JwtError::kUnsupportedAlgorithm)
        << alg;
  }
}

TEST_F(JwtTest, RejectsMissingOrOddAlg) {
  for (const char* header :
       {R"({"typ":"JWT"})", R"({"alg":null})", R"({"alg":256})", R"({"alg":["HS256"]})",
        R"({"alg":"hs256"})", R"({"alg":"HS256 "})", R"({"alg":""})"}) {
    EXPECT_EQ(VerifyError(Craft(header, Payload(kNow + 100))), JwtError::kUnsupportedAlgorithm)
        << header;
  }
}

TEST_F(JwtTest, RejectsWrongTypAndCrit) {
  EXPECT_EQ(VerifyError(Craft(R"({"alg":"HS256","typ":"JWE"})", Payload(kNow + 100))),
            JwtError::kMalformed);
  EXPECT_EQ(VerifyError(Craft(R"({"alg":"HS256","typ":1})", Payload(kNow + 100))),
            JwtError::kMalformed);
  EXPECT_EQ(VerifyError(Craft(R"({"alg":"HS256","crit":["exp"]})", Payload(kNow + 100))),
            JwtError::kMalformed);
}

TEST_F(JwtTest, RejectsTamperedPayload) {
  const std::string token = codec_.sign(Claims(kNow + 100));
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.rfind('.');
  const std::string other = R"({"tenant_id":"99999999-e89b-42d3-a456-426614174000","exp":)" +
                            std::to_string(kNow + 100) + "}";
  const std::string forged =
      token.substr(0, dot1 + 1) + util::base64url_encode(other) + token.substr(dot2);
  EXPECT_EQ(VerifyError(forged), JwtError::kBadSignature);
}

TEST_F(JwtTest, RejectsTamperedSignature) {
  const std::string token = codec_.sign(Claims(kNow + 100));
  const std::size_t sig = token.rfind('.') + 1;

  std::string flipped = token;
  flipped[sig] = flipped[sig] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyError(flipped), JwtError::kBadSignature);

  EXPECT_EQ(VerifyError(token.substr(0, sig)), JwtError::kBadSignature);  // empty signature
  EXPECT_EQ(VerifyError(token + "A"), JwtError::kBadSignature);           // 33+ bytes
  EXPECT_EQ(VerifyError(token.substr(0, token.size() - 3)), JwtError::kBadSignature);
}

TEST_F(JwtTest, RejectsWrongSecret) {
  const JwtCodec other(std::string(40, 'x'));
  const std::string token = other.sign(Claims(kNow + 100));
  EXPECT_EQ(VerifyError(token), JwtError::kBadSignature);
}

TEST_F(JwtTest, RejectsMissingOrInvalidTenant) {
  const std::string exp = std::to_string(kNow + 100);
  EXPECT_EQ(VerifyError(Craft(kHs256Header, R"({"exp":)" + exp + "}")), JwtError::kMissingTenant);
  EXPECT_EQ(VerifyError(Craft(kHs256Header, R"({"tenant_id":"acme","exp":)" + exp + "}")),
            JwtError::kMissingTenant);
  EXPECT_EQ(VerifyError(Craft(kHs256Header, R"({"tenant_id":42,"exp":)" + exp + "}")),
            JwtError::kMissingTenant);
  EXPECT_EQ(VerifyError(Craft(
                kHs256Header,
                R"({"tenant_id":"{123e4567-e89b-42d3-a456-426614174000}","exp":)" + exp + "}")),
            JwtError::kMissingTenant);
}

TEST_F(JwtTest, RejectsMissingExpiry) {
  EXPECT_EQ(VerifyError(Craft(kHs256Header, R"({"tenant_id":")" + kTenant + R"("})")),
            JwtError::kMissingExpiry);
}

TEST_F(JwtTest, RejectsNonIntegerExpiry) {
  const std::string prefix = R"({"tenant_id":")" + kTenant + R"(","exp":)";
  const std::vector<std::string> bad_exps = {
      R"("1800000000")", "true", "null", "1.8e9", "1800000000.0", "18446744073709551615", "[1]"};
  for (const std::string& exp : bad_exps) {
    EXPECT_EQ(VerifyError(Craft(kHs256Header, prefix + exp + "}")), JwtError::kMalformed) << exp;
  }
}

TEST_F(JwtTest, RejectsWrongOptionalClaimTypes) {
  const std::string base =
      R"({"tenant_id":")" + kTenant + R"(","exp":)" + std::to_string(kNow + 100);
  for (const char* extra : {R"(,"iat":"now"})", R"(,"iat":1.5})", R"(,"sub":7})", R"(,"sub":null})",
                            R"(,"jti":{}})", R"(,"nbf":"0"})"}) {
    EXPECT_EQ(VerifyError(Craft(kHs256Header, base + extra)), JwtError::kMalformed) << extra;
  }
}

TEST_F(JwtTest, RejectsGarbage) {
  const std::vector<std::string> garbage = {"",
                                            ".",
                                            "..",
                                            "a.b.c",
                                            "!!!.@@@.###",
                                            "abc",
                                            "a.b",
                                            "a.b.c.d",
                                            "....",
                                            "%%%",
                                            "\xff.\xff.\xff",
                                            std::string(100 * 1024, 'A'),
                                            std::string(100 * 1024, '.')};
  for (const std::string& token : garbage) {
    EXPECT_EQ(VerifyError(token), JwtError::kMalformed) << token.substr(0, 20);
  }
}

TEST_F(JwtTest, RejectsOversizeTokenEvenIfValid) {
  JwtClaims claims = Claims(kNow + 100);
  claims.sub = std::string(JwtCodec::kMaxTokenBytes, 's');
  EXPECT_EQ(VerifyError(codec_.sign(claims)), JwtError::kMalformed);
}

TEST_F(JwtTest, RejectsInvalidJsonInHeaderOrPayload) {
  EXPECT_EQ(VerifyError(Craft(R"({"alg":"HS256")", Payload(kNow + 100))), JwtError::kMalformed);
  EXPECT_EQ(VerifyError(Craft(R"(["HS256"])", Payload(kNow + 100))), JwtError::kMalformed);
  EXPECT_EQ(VerifyError(Craft(R"({"alg":"HS256",})", Payload(kNow + 100))), JwtError::kMalformed);
  EXPECT_EQ(VerifyError(Craft(kHs256Header, "not json")), JwtError::kMalformed);
  EXPECT_EQ(VerifyError(Craft(kHs256Header, R"("a string")")), JwtError::kMalformed);
  EXPECT_EQ(VerifyError(Craft(kHs256Header, "")), JwtError::kMalformed);
}

TEST_F(JwtTest, RejectsPaddedSegments) {
  const std::string token = codec_.sign(Claims(kNow + 100));
  const std::size_t dot1 = token.find('.');
  EXPECT_EQ(VerifyError(token.substr(0, dot1) + "=" + token.substr(dot1)), JwtError::kMalformed);
}

TEST(JwtCodec, RejectsShortSecret) {
  EXPECT_THROW(JwtCodec(""), std::invalid_argument);
  EXPECT_THROW(JwtCodec(std::string(31, 'k')), std::invalid_argument);
  EXPECT_NO_THROW(JwtCodec(std::string(32, 'k')));
}

TEST(JwtCodec, SignRejectsNonUuidTenant) {
  const JwtCodec codec(kSecret);
  EXPECT_THROW(codec.sign(Claims(kNow, "acme")), std::invalid_argument);
}

TEST(JwtDescribe, GivesShortTextForEveryError) {
  EXPECT_EQ(describe(JwtError::kExpired), "token expired");
  for (const JwtError e : {JwtError::kMalformed, JwtError::kUnsupportedAlgorithm,
                           JwtError::kBadSignature, JwtError::kExpired, JwtError::kNotYetValid,
                           JwtError::kMissingTenant, JwtError::kMissingExpiry}) {
    EXPECT_FALSE(describe(e).empty());
  }
}

TEST(ConstantTimeEquals, ComparesContent) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("secret-token", "secret-token"));
  EXPECT_FALSE(constant_time_equals("secret-token", "secret-tokem"));
  EXPECT_FALSE(constant_time_equals("secret-token", "Secret-token"));
}

TEST(ConstantTimeEquals, DifferentLengthsAreUnequal) {
  EXPECT_FALSE(constant_time_equals("secret", "secret-token"));
  EXPECT_FALSE(constant_time_equals("", "x"));
  EXPECT_FALSE(constant_time_equals(std::string("a\0", 2), "a"));
}

}  // namespace
}  // namespace autoblog::auth
