#pragma once
// The Date header every response carries (RFC 9110 §6.6.1), in IMF-fixdate form
// ("Sun, 06 Nov 1994 08:49:37 GMT", always 29 bytes).
//
// The value changes once a second, so it is formatted at most once a second for the whole
// process and shared: append_http_date() reads the coarse real-time clock (a vDSO call, no
// system call) and copies the cached 29 bytes; only the first caller in a new second formats.
// The cache is a sequence lock over four atomic words, so readers never block and never see a
// torn value (a reader that races a writer formats its own copy instead, which is rare and
// equally correct).
// Thread-safety: every function may be called from any thread.
#include <cstddef>
#include <cstdint>
#include <string>

namespace autoblog::http {

inline constexpr std::size_t kHttpDateSize = 29;

// Formats `unix_seconds` (years 0000–9999) as IMF-fixdate into out[0..29). Pure: no gmtime, no
// locale.
void format_http_date(std::int64_t unix_seconds, char* out);

// Appends the current time's IMF-fixdate to `out` (through the shared once-a-second cache).
void append_http_date(std::string& out);

}  // namespace autoblog::http
