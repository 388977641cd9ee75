// Table-driven base64 codecs; see base64.h for the accepted grammar.
#include "util/base64.h"

#include <array>
#include <cstdint>

namespace autoblog::util {
namespace {

constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xFF;

// Reverse lookup for the URL alphabet, built at compile time so decoding is one load per char.
constexpr std::array<std::uint8_t, 256> MakeUrlReverse() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kUrlAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kUrlAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}
constexpr auto kUrlReverse = MakeUrlReverse();

std::string Encode(std::string_view data, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8) |
        static_cast<unsigned char>(data[i + 2]);
    out.push_back(alphabet[(n >> 18) & 0x3F]);
    out.push_back(alphabet[(n >> 12) & 0x3F]);
    out.push_back(alphabet[(n >> 6) & 0x3F]);
    out.push_back(alphabet[n & 0x3F]);
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    out.push_back(alphabet[(n >> 18) & 0x3F]);
    out.push_back(alphabet[(n >> 12) & 0x3F]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8);
    out.push_back(alphabet[(n >> 18) & 0x3F]);
    out.push_back(alphabet[(n >> 12) & 0x3F]);
    out.push_back(alphabet[(n >> 6) & 0x3F]);
    if (pad) out.push_back('=');
  }
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view data) {
  return Encode(data, kUrlAlphabet, false);
}

std::string base64_encode(std::string_view data) {
  return Encode(data, kStdAlphabet, true);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // A trailing group of 1 char would carry only 6 bits: less than one byte.
  if (text.size() % 4 == 1) return std::nullopt;

  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;  // bits not yet emitted, right-aligned
  int bits = 0;
  for (const char c : text) {
    const std::uint8_t v = kUrlReverse[static_cast<unsigned char>(c)];
    if (v == kInvalid) return std::nullopt;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
      acc &= (1u << bits) - 1;  // keep only the unconsumed bits so acc never overflows
    }
  }
  // Leftover bits (2 or 4) are padding inside the last char; a canonical encoder zeroes them.
  if (acc != 0) return std::nullopt;
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 0 && text.size() % 4 != 0) return std::nullopt;
  text.remove_suffix(pad);
  // The two alphabets differ in two characters only: map to the URL-safe one and reuse its
  // strict decoder. A '-' or '_' in the input is not standard base64: refuse it.
  std::string mapped(text);
  for (char& c : mapped) {
    if (c == '-' || c == '_') return std::nullopt;
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return base64url_decode(mapped);
}

}  // namespace autoblog::util
