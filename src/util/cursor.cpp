#include "util/cursor.h"

#include "util/base64.h"
#include "util/random.h"

namespace autoblog::util {

std::string encode_cursor(const Cursor& c) { return base64url_encode(c.timestamp + "|" + c.id); }

std::optional<Cursor> decode_cursor(std::string_view text) {
  if (text.size() > 200) return std::nullopt;
  auto raw = base64url_decode(text);
  if (!raw) return std::nullopt;
  auto bar = raw->find('|');
  if (bar == std::string::npos) return std::nullopt;
  Cursor c{raw->substr(0, bar), raw->substr(bar + 1)};
  if (!is_uuid(c.id)) return std::nullopt;
  // RFC 3339 as rendered: YYYY-MM-DDTHH:MM:SS.ffffffZ (digits and separators only).
  if (c.timestamp.size() != 27 || c.timestamp[10] != 'T' || c.timestamp.back() != 'Z')
    return std::nullopt;
  for (char ch : c.timestamp)
    if (!std::isdigit(static_cast<unsigned char>(ch)) && ch != '-' && ch != ':' && ch != 'T' &&
        ch != '.' && ch != 'Z')
      return std::nullopt;
  return c;
}

}  // namespace autoblog::util
