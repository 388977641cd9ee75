#pragma once
// RFC 3339 UTC timestamps, the one formatter for every timestamp the API returns.
//
// API timestamps carry exactly six fractional digits ("2026-11-28T14:00:00.123456Z"), the format
// of the SQL function autoblog_core.rfc3339() (migrations/core/0001_init.sql), so that a value
// rendered by PostgreSQL and one rendered here look alike and sort alike as strings. Fractions
// are truncated, never rounded (rounding could move a value into the next second).
// Log lines use the shorter millisecond form, which is all a log reader needs.
//
// Years outside 0000–9999 cannot be written in RFC 3339; such instants are clamped to the first
// or last representable microsecond.
// Thread-safety: pure functions (no gmtime, no locale, no shared state).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace autoblog::util {

// "YYYY-MM-DDTHH:MM:SS.ffffffZ".
std::string format_rfc3339(std::chrono::system_clock::time_point t);
// The same for whole seconds since the Unix epoch (e.g. a JWT "exp"), fraction ".000000".
std::string format_rfc3339_unix(std::int64_t unix_seconds);
// "YYYY-MM-DDTHH:MM:SS.fffZ", for log lines only.
std::string format_rfc3339_millis(std::chrono::system_clock::time_point t);

// Appends the API form of a timestamptz as PostgreSQL writes it in text with TimeZone UTC and
// DateStyle ISO (every pooled connection's session settings): "YYYY-MM-DD HH:MM:SS[.f…]+00"
// becomes "YYYY-MM-DDTHH:MM:SS.ffffffZ". Rewriting the text is cheaper for the database than
// formatting with to_char() and gives the one API format. BC dates and years past 9999 are
// clamped like format_rfc3339(). Throws std::invalid_argument for any other text.
void append_rfc3339_from_postgres(std::string& out, std::string_view pg_timestamptz);
std::string rfc3339_from_postgres(std::string_view pg_timestamptz);

// The syntax of an RFC 3339 date-time, YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM), as clients send it
// (tracked_at, publish_at). The calendar (month 13, 30 February) is left to the database.
bool looks_like_rfc3339(std::string_view s);

}  // namespace autoblog::util
