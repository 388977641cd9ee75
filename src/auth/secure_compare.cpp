// SHA-256-then-compare, and the one constant-time byte comparison; see secure_compare.h.
#include "auth/secure_compare.h"

#include <cstdint>
#include <cstring>

#include "util/crypto.h"

namespace autoblog::auth {

bool constant_time_equal_bytes(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const std::size_t n = a.size();
  std::uint64_t diff = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    diff |= x ^ y;
  }
  for (; i < n; ++i)
    diff |= static_cast<std::uint8_t>(a[i]) ^ static_cast<std::uint8_t>(b[i]);
  // volatile: the compiler may not turn the accumulation into an early exit.
  volatile std::uint64_t result = diff;
  return result == 0;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  return constant_time_equal_bytes(util::sha256(a), util::sha256(b));
}

}  // namespace autoblog::auth
