#pragma once
// Validation of tenant object keys (docs/architecture.md) before any storage backend sees them, plus the
// other checks every backend applies to its inputs (tenant id, content type, list cursor), so
// LocalStorage and S3Storage accept and refuse exactly the same things.
//
// A key becomes a path under root/tenants/{tenant_id}/ (LocalStorage) or an S3 key under
// tenants/{tenant_id}/ (S3Storage), so every spelling that could climb out of the tenant's prefix,
// alias another key, or be interpreted differently by a later decoding layer is refused here,
// once, for both backends. The router has already percent-decoded the URL path; the rules apply
// to those decoded bytes:
//   - not empty (unless allow_empty, for list prefixes), at most kMaxObjectKeyBytes (979) bytes:
//     S3 allows 1024 bytes for the whole key, and our "tenants/{uuid}/" prefix takes 45;
//   - every path segment at most kMaxKeySegmentBytes (255) bytes: LocalStorage makes each
//     segment a file or directory name, and NAME_MAX is 255 bytes on Linux file systems. Object
//     files are named exactly after the segment (temp files live in .tmp/ under their own random
//     names, metadata is inside the file), so no suffix budget is needed; a backend that ever
//     appends to names must lower this limit. Applied on every backend, so a key valid on one
//     is valid on all;
//   - no leading '/', no empty segment ("a//b", trailing '/' — except a trailing '/' on a
//     prefix), no "." or ".." segment;
//   - no backslash (a path separator on some systems and in some S3 clients);
//   - no control character (0x00-0x1F, 0x7F) and valid UTF-8 only (no overlong forms, no
//     surrogates, nothing above U+10FFFF);
//   - no '%' followed by two hex digits: a second layer of percent-encoding ("%2e%2e", "%2F")
//     would turn into one of the forbidden spellings the moment anything decodes the key again.
//     Refusing every such triplet is simpler and safer than deciding which ones are harmful; a
//     lone '%' (e.g. "100%.png") stays valid.
// Pure functions, no shared state: thread-safe.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace autoblog::storage {

// S3's key limit (1024 bytes) minus "tenants/" + a 36-character UUID + "/".
inline constexpr std::size_t kS3MaxKeyBytes = 1024;
inline constexpr std::size_t kTenantPrefixBytes = 8 + 36 + 1;
inline constexpr std::size_t kMaxObjectKeyBytes = kS3MaxKeyBytes - kTenantPrefixBytes;  // 979
inline constexpr std::size_t kMaxKeySegmentBytes = 255;

// Returns the key unchanged when valid; otherwise nullopt and, when `why` is non-null, a short
// human-readable reason (safe to show to the client: it never echoes the key).
// allow_empty: validate a list prefix instead of a key — "" and a trailing '/' are accepted.
std::optional<std::string> validate_object_key(std::string_view decoded_key, std::string* why,
                                               bool allow_empty = false);

// Backend-side guards. Each throws InvalidKey (object_storage.h; a 400) with the reason.
// The router validates keys first; backends check again because they build paths from them.
std::string checked_key(std::string_view key);
std::string checked_prefix(std::string_view prefix);
// Tenant ids become a path segment / S3 key segment: only the canonical lowercase UUID form is
// accepted, so one tenant cannot have two spellings (two directories, two prefixes).
void check_tenant_id(std::string_view tenant_id);
// Printable ASCII, at most 255 bytes (it becomes an HTTP header on S3 and in responses: no CR/LF
// injection); "" means "application/octet-stream".
std::string checked_content_type(std::string_view content_type);

// List cursors: the base64url of the last key returned. Opaque to clients; decoding refuses
// anything that is not base64url of a valid key (std::invalid_argument), so a forged cursor can
// only ever name a position inside the caller's own prefix.
std::string encode_list_cursor(std::string_view last_key);
std::string decode_list_cursor(std::string_view cursor);

}  // namespace autoblog::storage
