// OpenSSL-backed randomness and UUID formatting; see random.h.
#include "util/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <stdexcept>

#include "util/crypto.h"

namespace autoblog::util {
namespace {

// What each position of a UUID's 36 characters may hold, and which bytes are hex digits: is_uuid
// runs several times per request (path ids, token ids), so one table lookup per character.
constexpr std::array<bool, 256> kHexDigit = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return t;
}();

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  // RAND_bytes takes an int length, so fill very large requests in chunks.
  std::size_t done = 0;
  while (done < n) {
    const std::size_t chunk = std::min<std::size_t>(n - done, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done), static_cast<int>(chunk)) !=
        1) {
      throw std::runtime_error("RAND_bytes failed: CSPRNG unavailable");
    }
    done += chunk;
  }
  return out;
}

std::string random_hex(std::size_t nbytes) {
  return to_hex(random_bytes(nbytes));
}

std::string uuid_v4() {
  std::string b = random_bytes(16);
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3F) | 0x80);  // variant 10xx
  const std::string hex = to_hex(b);
  std::string out;
  out.reserve(36);
  out.append(hex, 0, 8).push_back('-');
  out.append(hex, 8, 4).push_back('-');
  out.append(hex, 12, 4).push_back('-');
  out.append(hex, 16, 4).push_back('-');
  out.append(hex, 20, 12);
  return out;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
    return false;
  // The 32 digits' positions, so the loop tests digits only (a request checks a few ids).
  static constexpr std::array<std::uint8_t, 32> kDigitAt = {
      0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11, 12, 14, 15, 16, 17,
      19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
  bool ok = true;
  for (const auto i : kDigitAt) ok &= kHexDigit[static_cast<unsigned char>(text[i])];
  return ok;
}

std::string normalize_uuid(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace autoblog::util
