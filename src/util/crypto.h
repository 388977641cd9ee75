#pragma once
// Message digests and HMAC (OpenSSL EVP), and lowercase hex: the project's one copy of them.
// Users: JWT signing (HMAC-SHA256), SigV4 presigned URLs, S3 payload hashes (SHA-256) and
// Content-MD5, LocalStorage ETags (MD5, as S3 computes them), Redis script ids (SHA-1),
// constant-time comparison and the embedded cluster's short names (SHA-256).
//
// Digest functions return raw bytes (std::string as a byte buffer); *_hex variants and to_hex
// give lowercase hex. MD5 and SHA-1 are here for protocol compatibility (ETags, Content-MD5,
// EVALSHA ids), never for security decisions.
// Failures (only on allocation failure inside OpenSSL) throw std::runtime_error.
// Pure functions, no shared state: thread-safe.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::util {

std::string sha256(std::string_view data);  // 32 bytes
std::string sha1(std::string_view data);    // 20 bytes
std::string md5(std::string_view data);     // 16 bytes
// HMAC-SHA256 (RFC 2104) of `data` under `key`: 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);

// MD5 fed piece by piece (LocalStorage's ETag of a body that never sits whole in memory).
// Not thread-safe: one owner; movable, not copyable.
class Md5Stream {
 public:
  Md5Stream();
  ~Md5Stream();
  Md5Stream(Md5Stream&&) noexcept;
  Md5Stream& operator=(Md5Stream&&) noexcept;
  void update(std::string_view data);
  std::string finish();  // 16 bytes; the object is spent afterwards

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// Lowercase hex of the bytes: two characters per byte.
std::string to_hex(std::string_view bytes);

// The bytes that `hex` spells (digits of either case, two per byte); nullopt for an odd length
// or any other character. The inverse of to_hex (keys handed out as hex, e.g. Ghost's).
std::optional<std::string> from_hex(std::string_view hex);

inline std::string sha256_hex(std::string_view data) {
  return to_hex(sha256(data));
}
inline std::string sha1_hex(std::string_view data) {
  return to_hex(sha1(data));
}
inline std::string md5_hex(std::string_view data) {
  return to_hex(md5(data));
}

}  // namespace autoblog::util
