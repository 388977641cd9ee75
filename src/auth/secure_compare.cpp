// SHA-256-then-CRYPTO_memcmp comparison; see secure_compare.h for why.
#include "auth/secure_compare.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace autoblog::auth {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest Sha256(std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    throw std::runtime_error("SHA-256 digest failed");
  }
  return out;
}

}  // namespace

bool constant_time_equals(std::string_view a, std::string_view b) {
  const Digest da = Sha256(a);
  const Digest db = Sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

}  // namespace autoblog::auth
