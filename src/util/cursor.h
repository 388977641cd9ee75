#pragma once
// Opaque pagination cursors: the sort key of the last item of a page, base64url-encoded.
// Clients must not parse them; a cursor that does not decode is a 400 at the API.
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::util {

struct Cursor {
  std::string timestamp;  // RFC 3339 text as rendered by the database
  std::string id;         // UUID
};

std::string encode_cursor(const Cursor& c);
// nullopt when malformed (bad base64, missing separator, id not a UUID, odd timestamp).
std::optional<Cursor> decode_cursor(std::string_view text);

}  // namespace autoblog::util
