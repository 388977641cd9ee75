#include "content/quality/unicode_class.h"

#include "util/text.h"

namespace autoblog::content::quality {
namespace {

struct Range {
  char32_t lo, hi;
};

// Non-word code points above Latin-1: punctuation, symbols, combining marks, spacing and
// format characters, emoji, private use and specials (U+FFFD included).
constexpr Range kNonWord[] = {
    {0x02C2, 0x02C5},    {0x02D2, 0x02DF}, {0x02E5, 0x02EB}, {0x02ED, 0x02ED}, {0x02EF, 0x02FF},
    {0x0300, 0x036F},    {0x037E, 0x037E}, {0x0384, 0x0385}, {0x0387, 0x0387}, {0x0483, 0x0489},
    {0x055A, 0x055F},    {0x0589, 0x058A}, {0x0591, 0x05BD}, {0x05BE, 0x05C7}, {0x05F3, 0x05F4},
    {0x0600, 0x061F},    {0x064B, 0x065F}, {0x066A, 0x066D}, {0x06D4, 0x06D4}, {0x0964, 0x0965},
    {0x0E4F, 0x0E4F},    {0x0E5A, 0x0E5B}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x2000, 0x206F},
    {0x20A0, 0x20FF},    {0x2100, 0x2101}, {0x2103, 0x2106}, {0x2108, 0x2109}, {0x2114, 0x2114},
    {0x2116, 0x2118},    {0x211E, 0x2123}, {0x2125, 0x2125}, {0x2127, 0x2127}, {0x2129, 0x2129},
    {0x212E, 0x212E},    {0x213A, 0x213B}, {0x2140, 0x2144}, {0x214A, 0x214D}, {0x214F, 0x214F},
    {0x2190, 0x245F},    {0x2500, 0x2775}, {0x2794, 0x2BFF}, {0x2CE5, 0x2CEA}, {0x2CF9, 0x2CFC},
    {0x2CFE, 0x2CFF},    {0x2E00, 0x2E7F}, {0x2FF0, 0x3004}, {0x3008, 0x3020}, {0x3030, 0x3030},
    {0x303D, 0x303F},    {0x309B, 0x309C}, {0x30A0, 0x30A0}, {0x30FB, 0x30FB}, {0xD800, 0xF8FF},
    {0xFD3E, 0xFD3F},    {0xFE00, 0xFE6F}, {0xFEFF, 0xFEFF}, {0xFF01, 0xFF0F}, {0xFF1A, 0xFF20},
    {0xFF3B, 0xFF3E},    {0xFF40, 0xFF40}, {0xFF5B, 0xFF65}, {0xFFE0, 0xFFFF}, {0x1F000, 0x1FBFF},
    {0xE0000, 0x10FFFF},
};

bool in_ranges(char32_t cp) {
  // The table is sorted and small: a linear scan stops at the first range above cp.
  for (const Range& r : kNonWord) {
    if (cp < r.lo) return false;
    if (cp <= r.hi) return true;
  }
  return false;
}

}  // namespace

bool is_word_char_above_ascii(char32_t cp) {
  if (cp <= 0xFF) {
    // Latin-1: the letters, ª º µ, the superscript digits and the vulgar fractions (numeric).
    return (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7) || cp == 0xAA || cp == 0xB5 || cp == 0xBA ||
           cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || (cp >= 0xBC && cp <= 0xBE);
  }
  return !in_ranges(cp);
}

bool is_space_char_above_ascii(char32_t cp) {
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

char32_t to_lower(char32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 0x20 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp >= 0x100 && cp <= 0x137) return cp | 1;  // pairs: even upper, odd lower
  if (cp >= 0x139 && cp <= 0x148) return cp % 2 == 1 ? cp + 1 : cp;
  if (cp >= 0x14A && cp <= 0x177) return cp | 1;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x179 && cp <= 0x17E) return cp % 2 == 1 ? cp + 1 : cp;
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return cp;
}

std::u32string decode_for_counting(std::string_view text) {
  std::u32string out;
  decode_for_counting(text, out);
  return out;
}

void decode_for_counting(std::string_view text, std::u32string& out) {
  out.reserve(out.size() + text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = util::utf8_sequence_length(text, i);
    if (len == 0) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    const auto b = [&](std::size_t k) {
      return static_cast<char32_t>(static_cast<unsigned char>(text[i + k]));
    };
    char32_t cp = 0;
    switch (len) {
      case 1:
        cp = b(0);
        break;
      case 2:
        cp = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
        break;
      case 3:
        cp = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
        break;
      default:
        cp = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    }
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC) cp = '\'';
    out.push_back(cp);
    i += len;
  }
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace autoblog::content::quality
