#pragma once
// One tenant-cache entry read ahead of the code that needs it, in a round trip made anyway:
// the Redis rate limiter reads the entry a route declares (http::Operation::prefetch_cache_key)
// in the same script call as its decision, and the handler's service uses it instead of asking
// the cache again. Plain value; not thread-safe (it belongs to one request).
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::cache {

struct Prefetched {
  std::string key;                   // the entry's key within the tenant (TenantCache's `key`)
  std::optional<std::string> value;  // as it was read; nullopt when there was no entry
};

// The prefetched value of `key` when `prefetched` holds that entry; nullptr otherwise (nothing
// was read ahead, or another entry was), and the caller asks the cache itself.
inline const Prefetched* prefetched_entry(const std::optional<Prefetched>& prefetched,
                                          std::string_view key) {
  return prefetched && prefetched->key == key ? &*prefetched : nullptr;
}

}  // namespace autoblog::cache
