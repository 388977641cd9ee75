#pragma once
// Hostname validation and canonical form (RFC 1123 host names), for tenant domains today and
// publishing targets later: one definition, so two spellings of one DNS name are never two
// different values.
//
// Canonical form: ASCII lower case, one trailing dot removed ("Acme.Example." -> "acme.example").
// Rules on the canonical form:
//   - at most 253 bytes; at least two labels ("localhost" or a bare TLD is not a site's domain);
//   - each label 1..63 bytes of [a-z0-9-], not starting or ending with '-' (so ".", "..",
//     "a..b", "-a-.example" are refused);
//   - no IP address literal: a dotted all-numeric name (the last label of a real hostname is
//     never all digits, RFC 1123 §2.1) or anything with ':' or '[' (IPv6);
//   - internationalised names only as punycode A-labels ("xn--..."): any non-ASCII byte is
//     refused with a message asking for punycode. Converting Unicode (UTS #46 / IDNA 2008)
//     would need libidn2 — not a dependency we want for this — and the caller's converter
//     knows which IDNA variant it meant; we only check the A-label's ASCII syntax.
// Pure functions, no shared state: thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::util {

inline constexpr std::size_t kMaxHostnameBytes = 253;
inline constexpr std::size_t kMaxHostnameLabelBytes = 63;

// The canonical hostname, or nullopt and (when `why` is non-null) a reason safe to show the
// client (it never echoes the input).
std::optional<std::string> canonical_hostname(std::string_view host, std::string* why);

}  // namespace autoblog::util
