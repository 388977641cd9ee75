// UTF-8 text helpers; the rules and their reasons are in text.h.
#include "util/text.h"

#include <cstdio>

namespace autoblog::util {
namespace {

// Decodes the well-formed sequence of length len at s[i].
char32_t Decode(std::string_view s, std::size_t i, std::size_t len) {
  const auto b = [&](std::size_t k) {
    return static_cast<char32_t>(static_cast<unsigned char>(s[k]));
  };
  switch (len) {
    case 1:
      return b(i);
    case 2:
      return ((b(i) & 0x1F) << 6) | (b(i + 1) & 0x3F);
    case 3:
      return ((b(i) & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    default:
      return ((b(i) & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
             (b(i + 3) & 0x3F);
  }
}

// Unicode White_Space (minus the controls, which are unsafe anyway) plus the invisible
// zero-width space and BOM: characters a reader cannot see at the edge of a label.
bool IsSpaceLike(char32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b0 == 0xE0) return cont(i + 1, 0xA0, 0xBF) && cont(i + 2) ? 3 : 0;
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b0 == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;  // no surrogates
  if (b0 == 0xF0) return cont(i + 1, 0x90, 0xBF) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b0 == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;  // 0x80-0xC1 (stray continuation, overlong lead) and 0xF5-0xFF
}

bool is_unsafe_code_point(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
         cp == 0x2028 || cp == 0x2029;
}

std::optional<std::string> display_text_problem(std::string_view text, std::string_view what) {
  const std::string w(what);
  bool blank = true;
  bool first_space = false;
  bool last_space = false;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) return w + " is not valid UTF-8";
    const char32_t cp = Decode(text, i, len);
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return w + " contains a control character";
    if (is_unsafe_code_point(cp)) {
      return w + " contains a bidirectional-text or line-separator control character";
    }
    const bool space = IsSpaceLike(cp);
    if (i == 0) first_space = space;
    last_space = space;
    if (!space) blank = false;
    i += len;
  }
  if (blank) return w + " must not be blank";
  if (first_space) return w + " must not start with whitespace";
  if (last_space) return w + " must not end with whitespace";
  return std::nullopt;
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      std::snprintf(buf, sizeof buf, "\\x{%02X}", static_cast<unsigned char>(text[i]));
      out += buf;
      ++i;
      continue;
    }
    const char32_t cp = Decode(text, i, len);
    if (cp == '\\') {
      out += "\\\\";
    } else if (is_unsafe_code_point(cp)) {
      std::snprintf(buf, sizeof buf, "\\u{%X}", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string terminal_safe_json(std::string_view serialized_json) {
  std::string out;
  out.reserve(serialized_json.size());
  char buf[8];
  for (std::size_t i = 0; i < serialized_json.size();) {
    std::size_t len = utf8_sequence_length(serialized_json, i);
    if (len == 0) len = 1;  // a serializer never emits this; pass it through untouched
    const char32_t cp = Decode(serialized_json, i, len);
    if (len > 1 || cp == 0x7F) {
      if (is_unsafe_code_point(cp)) {
        std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
        out += buf;
        i += len;
        continue;
      }
    }
    out.append(serialized_json.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace autoblog::util
