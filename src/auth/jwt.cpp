// HS256 JWT signing and pinned-algorithm verification; see jwt.h for the rules.
#include "auth/jwt.h"

#include <boost/json.hpp>
#include <limits>
#include <stdexcept>
#include <utility>

#include "auth/secure_compare.h"
#include "util/base64.h"
#include "util/crypto.h"
#include "util/random.h"

namespace autoblog::auth {
namespace {

namespace json = boost::json;

// The one header we ever emit; verify() accepts any equivalent JSON, not just these bytes.
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

// Decodes one base64url segment and parses it as a JSON object, without throwing on bad input.
std::optional<json::object> DecodeObject(std::string_view segment) {
  const std::optional<std::string> raw = util::base64url_decode(segment);
  if (!raw) return std::nullopt;
  json::error_code ec;
  json::value value = json::parse(*raw, ec);  // strict: no comments, trailing commas, bad UTF-8
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

// A JSON integer that fits int64. Doubles (even 1.0) are refused: the claims are integers.
std::optional<std::int64_t> AsInt64(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() &&
      v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

std::optional<JwtError> CheckHeader(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
    return JwtError::kUnsupportedAlgorithm;
  }
  if (const json::value* typ = header.if_contains("typ");
      typ != nullptr && (!typ->is_string() || typ->get_string() != "JWT")) {
    return JwtError::kMalformed;
  }
  // "crit" names extensions the verifier must understand (RFC 7515 §4.1.11); we support none.
  if (header.contains("crit")) return JwtError::kMalformed;
  return std::nullopt;
}

std::variant<JwtClaims, JwtError> ReadClaims(const json::object& payload, std::int64_t now) {
  JwtClaims claims;

  const json::value* tenant = payload.if_contains("tenant_id");
  if (tenant == nullptr || !tenant->is_string() || !util::is_uuid(tenant->get_string())) {
    return JwtError::kMissingTenant;
  }
  claims.tenant_id = util::normalize_uuid(tenant->get_string());

  const json::value* exp = payload.if_contains("exp");
  if (exp == nullptr) return JwtError::kMissingExpiry;
  const std::optional<std::int64_t> exp_value = AsInt64(*exp);
  if (!exp_value) return JwtError::kMalformed;
  claims.exp = *exp_value;

  std::optional<std::int64_t> nbf;
  if (const json::value* v = payload.if_contains("nbf")) {
    nbf = AsInt64(*v);
    if (!nbf) return JwtError::kMalformed;
  }
  if (const json::value* v = payload.if_contains("iat")) {
    claims.iat = AsInt64(*v);
    if (!claims.iat) return JwtError::kMalformed;
  }
  if (const json::value* v = payload.if_contains("sub")) {
    if (!v->is_string()) return JwtError::kMalformed;
    claims.sub = std::string(v->get_string());
  }
  if (const json::value* v = payload.if_contains("jti")) {
    if (!v->is_string()) return JwtError::kMalformed;
    claims.jti = std::string(v->get_string());
  }

  // Time checks last, so a structurally bad token is reported as such whatever its age.
  if (now >= claims.exp) return JwtError::kExpired;
  if (nbf && *nbf > now) return JwtError::kNotYetValid;
  return claims;
}

std::variant<JwtClaims, JwtError> VerifyImpl(std::string_view secret, std::string_view token,
                                             std::int64_t now) {
  if (token.size() > JwtCodec::kMaxTokenBytes) return JwtError::kMalformed;

  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return JwtError::kMalformed;
  const std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return JwtError::kMalformed;
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  // The header is read before the MAC only to refuse foreign algorithms with a precise error;
  // nothing in it influences how the MAC is computed.
  const std::optional<json::object> header = DecodeObject(header_b64);
  if (!header) return JwtError::kMalformed;
  if (const std::optional<JwtError> error = CheckHeader(*header)) return *error;

  const std::optional<std::string> signature = util::base64url_decode(signature_b64);
  if (!signature) return JwtError::kMalformed;
  std::string expected;
  try {
    expected = util::hmac_sha256(secret, token.substr(0, dot2));
  } catch (const std::exception&) {  // verify() is noexcept: an OpenSSL failure is a refusal
    return JwtError::kMalformed;
  }
  // Length is public (always 32 for HS256), so checking it first leaks nothing.
  if (!constant_time_equal_bytes(*signature, expected)) {
    return JwtError::kBadSignature;
  }

  const std::optional<json::object> payload = DecodeObject(payload_b64);
  if (!payload) return JwtError::kMalformed;
  return ReadClaims(*payload, now);
}

}  // namespace

std::string sign_hs256(std::string_view header_json, std::string_view payload_json,
                       std::string_view key) {
  std::string token = util::base64url_encode(header_json);
  token.push_back('.');
  token += util::base64url_encode(payload_json);
  const std::string mac = util::hmac_sha256(key, token);
  token.push_back('.');
  token += util::base64url_encode(mac);
  return token;
}

std::string_view describe(JwtError error) noexcept {
  switch (error) {
    case JwtError::kMalformed:
      return "malformed token";
    case JwtError::kUnsupportedAlgorithm:
      return "unsupported token algorithm";
    case JwtError::kBadSignature:
      return "invalid token signature";
    case JwtError::kExpired:
      return "token expired";
    case JwtError::kNotYetValid:
      return "token not yet valid";
    case JwtError::kMissingTenant:
      return "token has no valid tenant_id";
    case JwtError::kMissingExpiry:
      return "token has no exp";
  }
  return "invalid token";
}

JwtCodec::JwtCodec(std::string secret) : secret_(std::move(secret)) {
  if (secret_.size() < kMinSecretBytes) {
    throw std::invalid_argument("JWT secret must be at least 32 bytes");
  }
}

std::string JwtCodec::sign(const JwtClaims& claims) const {
  if (!util::is_uuid(claims.tenant_id)) {
    throw std::invalid_argument("JWT tenant_id must be a UUID");
  }
  json::object payload;
  payload["tenant_id"] = util::normalize_uuid(claims.tenant_id);
  payload["exp"] = claims.exp;
  if (claims.iat) payload["iat"] = *claims.iat;
  if (claims.sub) payload["sub"] = *claims.sub;
  if (claims.jti) payload["jti"] = *claims.jti;

  return sign_hs256(kHeaderJson, json::serialize(payload), secret_);
}

std::variant<JwtClaims, JwtError> JwtCodec::verify(std::string_view token,
                                                   std::int64_t now_unix) const noexcept {
  try {
    return VerifyImpl(secret_, token, now_unix);
  } catch (...) {
    // Only allocation can throw in practice; a token we cannot process is not valid.
    return JwtError::kMalformed;
  }
}

}  // namespace autoblog::auth
