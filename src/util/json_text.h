#pragma once
// Building JSON responses from text the database already produced, without parsing it again:
//   - append_compact_json: PostgreSQL writes jsonb as `{"a": 1, "b": [1, 2]}`; the API answers
//     compact JSON, so the whitespace between tokens goes (strings are copied untouched). Linear,
//     no allocation beyond `out`; the input must be valid JSON (jsonb output always is).
//   - append_json_string: a JSON string literal for text that is valid UTF-8.
// Pure functions: thread-safe.
#include <string>
#include <string_view>

namespace autoblog::util {

void append_compact_json(std::string& out, std::string_view json);
void append_json_string(std::string& out, std::string_view utf8);

}  // namespace autoblog::util
