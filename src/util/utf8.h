#pragma once
// UTF-8 validation and repair for text that ends up inside JSON (log lines, error bodies).
// Boost.JSON escapes quotes and control characters but copies bytes >= 0x80 unchecked, so raw
// request data (paths, query values, headers) could otherwise make a document unparseable.
// Thread-safety: pure functions. Results are owned by the caller.
#include <cstddef>
#include <string>
#include <string_view>

namespace autoblog::util {

// True iff `s` is well-formed UTF-8 (no overlong forms, surrogates, or code points beyond
// U+10FFFF; no truncated sequence).
bool is_valid_utf8(std::string_view s);

// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string repair_utf8(std::string_view s);

// User input made fit to quote inside an error message: valid UTF-8 (as repair_utf8), control
// characters (U+0000–U+001F, U+007F) replaced by U+FFFD, and at most `max_bytes` bytes of the
// input kept (cut at a character boundary, "..." appended) so a huge value cannot bloat a body.
std::string printable(std::string_view s, std::size_t max_bytes = 200);

}  // namespace autoblog::util
