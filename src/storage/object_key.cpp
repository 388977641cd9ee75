// Object key validation; the rules and their reasons are in object_key.h.
#include "storage/object_key.h"

#include <stdexcept>
#include <utility>

#include "util/base64.h"
#include "util/random.h"

namespace autoblog::storage {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is malformed
// (RFC 3629 table: rejects overlong forms, surrogates and code points above U+10FFFF).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b0 == 0xE0) return cont(i + 1, 0xA0, 0xBF) && cont(i + 2) ? 3 : 0;
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b0 == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;  // no surrogates
  if (b0 == 0xF0) return cont(i + 1, 0x90, 0xBF) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b0 == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;  // 0x80-0xC1 (stray continuation, overlong lead) and 0xF5-0xFF
}

std::optional<std::string> Fail(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validate_object_key(std::string_view key, std::string* why,
                                               bool allow_empty) {
  if (key.empty()) {
    if (allow_empty) return std::string();
    return Fail(why, "object key must not be empty");
  }
  if (key.size() > kMaxObjectKeyBytes) {
    return Fail(why, allow_empty ? "prefix is longer than 1024 bytes"
                                 : "object key is longer than 1024 bytes");
  }
  if (key.front() == '/') {
    return Fail(
        why, allow_empty ? "prefix must not start with '/'" : "object key must not start with '/'");
  }

  for (std::size_t i = 0; i < key.size();) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7F) return Fail(why, "object key contains a control character");
    if (c == '\\') return Fail(why, "object key contains a backslash");
    if (c == '%' && i + 2 < key.size() && IsHex(key[i + 1]) && IsHex(key[i + 2])) {
      return Fail(why, "object key contains a percent-encoded sequence (double encoding)");
    }
    const std::size_t len = Utf8SequenceLength(key, i);
    if (len == 0) return Fail(why, "object key is not valid UTF-8");
    i += len;
  }

  // Segment rules. A prefix may end in '/' ("images/"), which leaves one empty last segment.
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = key.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? key.size() : slash;
    const std::string_view segment = key.substr(start, end - start);
    const bool last = slash == std::string_view::npos;
    if (segment.empty() && !(last && allow_empty)) {
      return Fail(why, "object key contains an empty path segment");
    }
    if (segment == "." || segment == "..") {
      return Fail(why, "object key contains a '.' or '..' path segment");
    }
    if (last) break;
    start = slash + 1;
  }
  return std::string(key);
}

std::string checked_key(std::string_view key) {
  std::string why;
  auto valid = validate_object_key(key, &why);
  if (!valid) throw std::invalid_argument(why);
  return std::move(*valid);
}

std::string checked_prefix(std::string_view prefix) {
  std::string why;
  auto valid = validate_object_key(prefix, &why, true);
  if (!valid) throw std::invalid_argument(why);
  return std::move(*valid);
}

void check_tenant_id(std::string_view tenant_id) {
  if (!util::is_uuid(tenant_id) || util::normalize_uuid(tenant_id) != tenant_id) {
    throw std::invalid_argument("invalid tenant id");
  }
}

std::string checked_content_type(std::string_view content_type) {
  if (content_type.empty()) return "application/octet-stream";
  if (content_type.size() > 255) throw std::invalid_argument("content type is too long");
  for (char c : content_type) {
    if (c < 0x20 || c > 0x7E) {
      throw std::invalid_argument("content type must be printable ASCII");
    }
  }
  return std::string(content_type);
}

std::string encode_list_cursor(std::string_view last_key) {
  return util::base64url_encode(last_key);
}

std::string decode_list_cursor(std::string_view cursor) {
  const std::optional<std::string> raw = util::base64url_decode(cursor);
  if (!raw || !validate_object_key(*raw, nullptr).has_value()) {
    throw std::invalid_argument("malformed cursor");
  }
  return *raw;
}

}  // namespace autoblog::storage
