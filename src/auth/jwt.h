#pragma once
// HS256 JSON Web Tokens for the tenant API (docs/api.md): the algorithm is pinned, so a token's
// own header can never choose how it is verified ("alg": "none", other HMAC sizes and
// asymmetric algorithms are all refused).
// Thread-safety: JwtCodec is immutable after construction, so one instance may be shared by
// any number of threads. It owns a copy of the secret; copying a codec copies the secret.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace autoblog::auth {

struct JwtClaims {
  std::string tenant_id;  // canonical UUID; verify() returns it lowercased
  std::int64_t exp = 0;   // expiry, Unix seconds
  std::optional<std::int64_t> iat;
  std::optional<std::string> sub;
  std::optional<std::string> jti;
};

enum class JwtError {
  kMalformed,             // not three base64url segments, bad JSON, wrong claim type, too big
  kUnsupportedAlgorithm,  // header "alg" missing, not a string, or not exactly "HS256"
  kBadSignature,          // HMAC does not match (wrong secret or tampered token)
  kExpired,               // now >= exp
  kNotYetValid,           // nbf > now
  kMissingTenant,         // tenant_id absent, not a string, or not a canonical UUID
  kMissingExpiry,         // exp absent
};

// An HS256 JWS in compact form: base64url(header_json) "." base64url(payload_json) "."
// base64url(HMAC-SHA256 under `key` of the first two parts). The JSON texts are signed byte for
// byte as given. JwtCodec::sign uses it for the tenant API's tokens; other signers (Ghost Admin
// API tokens, with their own header and claims) share it. Throws std::runtime_error if OpenSSL
// fails.
std::string sign_hs256(std::string_view header_json, std::string_view payload_json,
                       std::string_view key);

// Short human text for 401 messages, e.g. "token expired". Never reveals secret material.
std::string_view describe(JwtError error) noexcept;

class JwtCodec {
 public:
  // Largest token verify() will look at; real tokens are a few hundred bytes, and the bound
  // keeps base64/JSON work on hostile input small.
  static constexpr std::size_t kMaxTokenBytes = 8 * 1024;
  // HS256 wants a key at least as long as its 256-bit output (RFC 7518 §3.2).
  static constexpr std::size_t kMinSecretBytes = 32;

  // Throws std::invalid_argument if `secret` is shorter than kMinSecretBytes.
  explicit JwtCodec(std::string secret);

  // Header is exactly {"alg":"HS256","typ":"JWT"}. The payload carries tenant_id, exp and the
  // optional claims that are set. Throws std::invalid_argument if tenant_id is not a UUID
  // (such a token could never verify), std::runtime_error if OpenSSL fails.
  std::string sign(const JwtClaims& claims) const;

  // Verifies signature first, then claims, against `now_unix` (injected for tests). Rules:
  //  * header: JSON object, "alg" == "HS256", "typ" (optional) == "JWT", no "crit"; other
  //    header parameters (kid, jku, x5u, ...) are ignored, never used to pick a key.
  //  * signature: 32-byte HMAC-SHA256 of "header.payload" as received, compared in constant
  //    time. The payload is not even decoded before this passes.
  //  * payload: JSON object; tenant_id string UUID; exp, nbf, iat JSON integers (floats,
  //    strings, bools and null are kMalformed); sub, jti strings.
  //  * time: no leeway — expired when now_unix >= exp, not yet valid when nbf > now_unix.
  //    iat is only type-checked; issuers' clocks are not this service's concern.
  //  * duplicate JSON keys: the last one wins (Boost.JSON); harmless because only this codec
  //    parses the token and the signature covers the exact bytes.
  // Never throws: any internal failure (even allocation) reports kMalformed.
  std::variant<JwtClaims, JwtError> verify(std::string_view token,
                                           std::int64_t now_unix) const noexcept;

 private:
  std::string secret_;
};

}  // namespace autoblog::auth
