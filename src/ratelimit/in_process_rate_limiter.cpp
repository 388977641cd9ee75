// In-process GCRA limiter: sharded open-addressing tables of TATs; see the header.
#include "ratelimit/in_process_rate_limiter.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <utility>

#include "ratelimit/gcra.h"

namespace autoblog::ratelimit {
namespace {

constexpr std::size_t kMinCapacity = 16;

// Tables rebuild (sweep, then maybe grow) beyond 80% occupancy: linear probing stays short and
// the rebuild cost is amortised over at least 40% of a table of inserts.
bool over_load(std::size_t size, std::size_t capacity) {
  return size * 5 > capacity * 4;
}

std::size_t capacity_for(std::size_t live) {
  std::size_t cap = kMinCapacity;
  while (live * 5 > cap * 2) cap *= 2;  // live <= 40% of cap
  return cap;
}

// The UUID parser below runs on every decision and was half of its cost as a per-character
// loop, so it decodes 8 characters at a time in one 64-bit word (SWAR): 4 loads, no branches.
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = kOnes * 0x80;

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) {
    if constexpr (sizeof v == 8) v = __builtin_bswap64(v);
    if constexpr (sizeof v == 4) v = __builtin_bswap32(v);
  }
  return v;  // first character in the lowest byte
}

// Per byte of x (all < 0x80): high bit set iff lo <= byte <= hi. No carry crosses a byte.
constexpr std::uint64_t bytes_in_range(std::uint64_t x, std::uint8_t lo, std::uint8_t hi) {
  return (x + kOnes * (0x80 - lo)) & ~(x + kOnes * (0x7f - hi)) & kHighBits;
}

// Eight hex characters (first one most significant) → 32 bits. Sets bits in `bad` when any
// character is not a hex digit of either case.
[[gnu::always_inline]] inline std::uint64_t hex8(std::uint64_t x, std::uint64_t& bad) {
  const std::uint64_t digit = bytes_in_range(x, '0', '9');
  const std::uint64_t letter = bytes_in_range(x | (kOnes * 0x20), 'a', 'f');  // 0x20: lowercase
  bad |= (x & kHighBits) | ((digit | letter) ^ kHighBits);
  // '0'-'9' are 0x30-0x39 and letters 0x41-0x46 / 0x61-0x66: low nibble, plus 9 if bit 6 is set.
  std::uint64_t v = (x & (kOnes * 0x0f)) + ((x >> 6) & kOnes) * 9;
  v = ((v << 4) | (v >> 8)) & 0x00ff00ff00ff00ffULL;   // pairs of nibbles → bytes
  v = ((v << 8) | (v >> 16)) & 0x0000ffff0000ffffULL;  // pairs of bytes → 16-bit words
  return ((v << 16) | (v >> 32)) & 0xffffffffULL;      // pairs of words → 32 bits
}

// 8-4-4-4-12 hex digits of either case → 128 bits. False for anything else.
bool parse_uuid(std::string_view sv, std::uint64_t& hi, std::uint64_t& lo) {
  if (sv.size() != 36) return false;
  const char* s = sv.data();
  if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  std::uint64_t bad = 0;
  const auto two4 = [s](int a, int b) {  // two 4-character groups as one 8-character word
    return std::uint64_t{load<std::uint32_t>(s + a)} |
           (std::uint64_t{load<std::uint32_t>(s + b)} << 32);
  };
  const std::uint64_t h = (hex8(load<std::uint64_t>(s), bad) << 32) | hex8(two4(9, 14), bad);
  const std::uint64_t l = (hex8(two4(19, 24), bad) << 32) | hex8(load<std::uint64_t>(s + 28), bad);
  if (bad != 0) return false;
  hi = h;
  lo = l;
  return true;
}

std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finaliser: full avalanche, cheap
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::int64_t steady_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

InProcessRateLimiter::InProcessRateLimiter(Clock now_us)
    : now_us_(now_us ? std::move(now_us) : Clock(&steady_now_us)) {
  for (Shard& s : shards_) s.slots.resize(kMinCapacity);
}

InProcessRateLimiter::Key InProcessRateLimiter::make_key(std::string_view tenant_id) {
  Key k;
  if (parse_uuid(tenant_id, k.hi, k.lo)) return k;
  // Not a UUID (only tests and hand-made ids): two independent FNV-1a style streams, mixed.
  // A collision with another id needs 128 bits to agree, which is negligible.
  std::uint64_t a = 0xcbf29ce484222325ULL;
  std::uint64_t b = 0x84222325cbf29ce4ULL;
  for (const char c : tenant_id) {
    a = (a ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    b = (b ^ static_cast<unsigned char>(c)) * 0x9e3779b97f4a7c15ULL;
  }
  k.hi = mix64(a ^ tenant_id.size());
  k.lo = mix64(b + tenant_id.size());
  return k;
}

std::uint64_t InProcessRateLimiter::hash(const Key& k) {
  // Version-4 UUIDs are already random, but v1/v7 ids share long prefixes, so both halves go
  // through a multiply; the final xor-shift brings the well-mixed high bits down to the low
  // bits that pick the slot (the top bits pick the shard).
  std::uint64_t x = k.hi ^ (k.lo * 0x9e3779b97f4a7c15ULL);
  x *= 0xbf58476d1ce4e5b9ULL;
  return x ^ (x >> 32);
}

InProcessRateLimiter::Slot* InProcessRateLimiter::probe(Shard& s, const Key& k, std::uint64_t h) {
  const std::size_t mask = s.slots.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& slot = s.slots[i];
    if (slot.tat_us == 0 || (slot.hi == k.hi && slot.lo == k.lo)) return &slot;
  }
}

std::size_t InProcessRateLimiter::rebuild(Shard& s, std::int64_t now_us) {
  std::size_t live = 0;
  for (const Slot& slot : s.slots) live += (slot.tat_us > now_us) ? 1 : 0;
  std::vector<Slot> old(capacity_for(live));
  old.swap(s.slots);
  const std::size_t dropped = s.size - live;
  s.size = live;
  for (const Slot& slot : old) {
    if (slot.tat_us <= now_us) continue;
    *probe(s, Key{slot.hi, slot.lo}, hash(Key{slot.hi, slot.lo})) = slot;
  }
  return dropped;
}

Decision InProcessRateLimiter::check_now(std::string_view tenant_id,
                                         std::int64_t requests_per_hour) {
  const Key key = make_key(tenant_id);
  const std::uint64_t h = hash(key);
  // Top bits pick the shard, low bits the slot, so the two choices stay independent.
  Shard& s = shards_[h >> (64 - kShardBits)];
  const std::int64_t now = std::max<std::int64_t>(now_us_(), 0);

  std::lock_guard lock(s.mu);
  Slot* slot = probe(s, key, h);
  const std::int64_t tat = rescale_tat(slot->tat_us, slot->limit, now, requests_per_hour);
  const GcraResult r = gcra(tat, now, requests_per_hour);
  if (slot->tat_us != 0) {
    slot->tat_us = r.new_tat_us;  // unchanged (but rescaled) when denied
    slot->limit = requests_per_hour;
    return r.decision;
  }
  // A new tenant is always allowed (a full burst is available), so it always gets a slot.
  if (over_load(s.size + 1, s.slots.size())) {
    rebuild(s, now);
    slot = probe(s, key, h);
  }
  *slot = Slot{key.hi, key.lo, r.new_tat_us, requests_per_hour};
  ++s.size;
  return r.decision;
}

boost::asio::awaitable<Decision> InProcessRateLimiter::check(std::string_view tenant_id,
                                                             std::int64_t requests_per_hour) {
  co_return check_now(tenant_id, requests_per_hour);
}

std::optional<Decision> InProcessRateLimiter::check_at_once(std::string_view tenant_id,
                                                            std::int64_t requests_per_hour) {
  return check_now(tenant_id, requests_per_hour);
}

std::size_t InProcessRateLimiter::tracked_tenants() const {
  std::size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.size;
  }
  return n;
}

std::size_t InProcessRateLimiter::sweep() {
  const std::int64_t now = std::max<std::int64_t>(now_us_(), 0);
  std::size_t dropped = 0;
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    dropped += rebuild(s, now);
  }
  return dropped;
}

}  // namespace autoblog::ratelimit
