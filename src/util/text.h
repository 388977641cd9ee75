#pragma once
// UTF-8 text helpers for untrusted strings that end up in front of people: tenant names in the
// API and on an operator's terminal, object keys in storage.
//   - utf8_sequence_length: the one UTF-8 decoder step (RFC 3629) shared by every validator;
//   - display_text_problem: why a string is unfit to be shown as a label (control characters,
//     bidirectional overrides, invalid UTF-8, blank or padded with whitespace);
//   - terminal_safe: a printable rendering of any bytes for a terminal, so text stored before
//     (or despite) validation cannot move the cursor, recolour, retitle or reorder the output.
// Pure functions, no shared state: thread-safe.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::util {

// Length of the well-formed UTF-8 sequence starting at s[i] (i < s.size()), or 0 if it is
// malformed: overlong forms, surrogates, code points above U+10FFFF, stray continuation bytes
// and truncated sequences are all 0.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// True for code points that change how a terminal or a text renderer treats what follows:
// C0 (U+0000-U+001F), DEL (U+007F), C1 (U+0080-U+009F), the bidirectional embeddings and
// overrides U+202A-U+202E, the isolates U+2066-U+2069, the marks U+200E/U+200F/U+061C, and
// the line/paragraph separators U+2028/U+2029.
bool is_unsafe_code_point(char32_t cp);

// Nullopt when `text` is fine as a display label; otherwise a short reason naming `what`
// ("name contains a control character"). Checks: valid UTF-8, no unsafe code point (above),
// not blank, no leading or trailing whitespace (nothing is trimmed silently: the caller sends
// exactly what is stored). Length limits are the caller's.
std::optional<std::string> display_text_problem(std::string_view text, std::string_view what);

// `text` with every unsafe code point written as \u{XX} (hex), every byte of invalid UTF-8 as
// \x{XX}, and '\' itself as "\\" (so an escape in the output always came from this function).
// Everything else passes unchanged.
std::string terminal_safe(std::string_view text);

// Serialized JSON with every unsafe code point written as a \uXXXX escape: the same JSON value,
// safe to print on a terminal. Valid because a serializer emits such characters only inside
// strings (it escapes C0 itself; DEL, C1 and the bidi controls it passes through raw). All
// unsafe code points are in the BMP, so one escape each.
std::string terminal_safe_json(std::string_view serialized_json);

}  // namespace autoblog::util
