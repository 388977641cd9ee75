#pragma once
// Percent-decoding (RFC 3986 section 2.1) for request targets, on Boost.URL: the one decoder
// for query strings (http::Server) and path segments (http::Router).
// Strict: every '%' must start a "%XX" escape of two hex digits; "%", "%4", "%zz" and "%-1"
// are malformed, and the callers answer 400 rather than guess. Decoded bytes are not checked
// for UTF-8 (a key may legitimately hold any byte); quote them in messages through
// util::printable (util/utf8.h).
// Thread-safety: pure functions. Results are owned by the caller.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoblog::util {

// The decoded bytes of `encoded`, or nullopt if it holds a malformed escape. With
// `plus_as_space`, '+' decodes to ' ' (HTML form encoding, used by query strings); "%2B" is
// always '+'.
std::optional<std::string> percent_decode(std::string_view encoded, bool plus_as_space = false);

// The parameters of a query string (the part after '?', without it), decoded with
// plus_as_space, in order: "a=1&b&c=" gives (a,1) (b,"") (c,""); empty pieces ("a=1&&b") are
// skipped; a parameter's value runs to the next '&' and may contain '='. nullopt if any key or
// value holds a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

}  // namespace autoblog::util
