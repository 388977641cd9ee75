// Object key validation; the rules and their reasons are in object_key.h.
#include "storage/object_key.h"

#include <stdexcept>
#include <utility>

#include "storage/object_storage.h"
#include "util/base64.h"
#include "util/random.h"
#include "util/text.h"

namespace autoblog::storage {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::optional<std::string> validate_object_key(std::string_view key, std::string* why,
                                               bool allow_empty) {
  // Reasons name what the client sent: a list prefix or an object key.
  const std::string what = allow_empty ? "prefix" : "object key";
  const auto fail = [&](std::string text) -> std::optional<std::string> {
    if (why != nullptr) *why = what + " " + text;
    return std::nullopt;
  };
  if (key.empty()) {
    if (allow_empty) return std::string();
    return fail("must not be empty");
  }
  if (key.size() > kMaxObjectKeyBytes) {
    return fail("is longer than " + std::to_string(kMaxObjectKeyBytes) + " bytes");
  }
  if (key.front() == '/') return fail("must not start with '/'");

  for (std::size_t i = 0; i < key.size();) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7F) return fail("contains a control character");
    if (c == '\\') return fail("contains a backslash");
    if (c == '%' && i + 2 < key.size() && IsHex(key[i + 1]) && IsHex(key[i + 2])) {
      return fail("contains a percent-encoded sequence (double encoding)");
    }
    const std::size_t len = util::utf8_sequence_length(key, i);
    if (len == 0) return fail("is not valid UTF-8");
    i += len;
  }

  // Segment rules. A prefix may end in '/' ("images/"), which leaves one empty last segment.
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = key.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? key.size() : slash;
    const std::string_view segment = key.substr(start, end - start);
    const bool last = slash == std::string_view::npos;
    if (segment.empty() && !(last && allow_empty)) return fail("contains an empty path segment");
    if (segment == "." || segment == "..") return fail("contains a '.' or '..' path segment");
    if (segment.size() > kMaxKeySegmentBytes) {
      return fail("has a path segment longer than " + std::to_string(kMaxKeySegmentBytes) +
                  " bytes");
    }
    if (last) break;
    start = slash + 1;
  }
  return std::string(key);
}

std::string checked_key(std::string_view key) {
  std::string why;
  auto valid = validate_object_key(key, &why);
  if (!valid) throw InvalidKey(why);
  return std::move(*valid);
}

std::string checked_prefix(std::string_view prefix) {
  std::string why;
  auto valid = validate_object_key(prefix, &why, true);
  if (!valid) throw InvalidKey(why);
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
