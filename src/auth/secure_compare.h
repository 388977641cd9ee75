#pragma once
// Timing-safe equality for secrets (API keys, admin tokens, MACs given as text).
// Pure function, thread-safe; borrows its arguments only for the call.
#include <string_view>

namespace autoblog::auth {

// True iff a == b. Both inputs are first hashed with SHA-256 and the fixed-size digests are
// compared with CRYPTO_memcmp, so the running time depends on neither where the inputs differ
// nor (beyond the hashing itself) whether their lengths match. Throws std::runtime_error only
// if OpenSSL cannot compute a digest.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace autoblog::auth
