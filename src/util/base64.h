#pragma once
// Base64 codecs (RFC 4648): the URL-safe alphabet without padding, as JWT (RFC 7515 §2)
// requires, and the standard padded alphabet for everything else.
// Pure functions, no shared state: thread-safe. Results are owned by the caller.
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::util {

// URL-safe alphabet ('-', '_'), never emits '=' padding.
std::string base64url_encode(std::string_view data);

// Strict inverse of base64url_encode. Returns nullopt for: any character outside the
// URL-safe alphabet (including '=', '+', '/', whitespace), a length with len % 4 == 1
// (no byte count encodes to that), or non-zero unused bits in the last character.
// The last rule makes the encoding canonical: every byte string has exactly one accepted
// spelling, so e.g. a JWT signature cannot be re-spelled into a "different" valid token.
std::optional<std::string> base64url_decode(std::string_view text);

// Standard alphabet ('+', '/') with '=' padding to a multiple of 4 characters.
std::string base64_encode(std::string_view data);

// Inverse of base64_encode (standard alphabet; '=' padding optional but, when present, must make
// the length a multiple of 4). Same strictness as base64url_decode otherwise; nullopt on any
// other character, including whitespace.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace autoblog::util
