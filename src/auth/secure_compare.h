#pragma once
// Timing-safe equality for secrets (API keys, admin tokens, MACs given as text).
// Pure function, thread-safe; borrows its arguments only for the call.
#include <string_view>

namespace autoblog::auth {

// True iff a == b. Both inputs are first hashed with SHA-256 and the fixed-size digests are
// compared with constant_time_equal_bytes, so the running time depends on neither where the
// inputs differ nor (beyond the hashing itself) whether their lengths match. Throws
// std::runtime_error only if OpenSSL cannot compute a digest.
bool constant_time_equals(std::string_view a, std::string_view b);

// True iff a == b, for inputs whose lengths are not secret: different lengths are false at
// once; equal lengths are compared in time that depends only on the length. Eight bytes per
// step, without branching on the data (OpenSSL's CRYPTO_memcmp takes one byte per step: for a
// 250-byte token it was 2 % of a cached content read's instructions).
bool constant_time_equal_bytes(std::string_view a, std::string_view b) noexcept;

}  // namespace autoblog::auth
