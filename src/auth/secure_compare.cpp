// SHA-256-then-CRYPTO_memcmp comparison; see secure_compare.h for why.
#include "auth/secure_compare.h"

#include <openssl/crypto.h>

#include "util/crypto.h"

namespace autoblog::auth {

bool constant_time_equals(std::string_view a, std::string_view b) {
  const std::string da = util::sha256(a);
  const std::string db = util::sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

}  // namespace autoblog::auth
