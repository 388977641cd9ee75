#pragma once
// Cryptographically secure random values (OpenSSL's CSPRNG) and UUID text helpers.
// Used for secrets, IDs and nonces, so nothing here may fall back to a weak generator.
// Thread-safe: OpenSSL 3's default RAND is safe to call concurrently; no other shared state.
// Results are owned by the caller.
#include <cstddef>
#include <string>
#include <string_view>

namespace autoblog::util {

// n random bytes from RAND_bytes. Throws std::runtime_error if the CSPRNG fails
// (e.g. not seeded) rather than ever returning predictable bytes.
std::string random_bytes(std::size_t n);

// 2 * nbytes lowercase hex characters of randomness. Throws like random_bytes.
std::string random_hex(std::size_t nbytes);

// Random (version 4, RFC 9562 variant) UUID in lowercase canonical form 8-4-4-4-12.
std::string uuid_v4();

// True iff `text` is exactly 36 chars: hex digits (either case) with '-' at offsets 8, 13, 18
// and 23. Checks the canonical textual form only, not version or variant bits, because IDs
// created elsewhere (e.g. by PostgreSQL) need not be v4. No braces, "urn:uuid:" or whitespace.
bool is_uuid(std::string_view text);

// ASCII-lowercases `text` so UUIDs compare and key consistently. Does not validate:
// call is_uuid first.
std::string normalize_uuid(std::string_view text);

}  // namespace autoblog::util
