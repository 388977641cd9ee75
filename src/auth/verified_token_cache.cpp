#include "auth/verified_token_cache.h"

#include <functional>

#include "auth/secure_compare.h"

namespace autoblog::auth {

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity)
    : per_shard_(std::max<std::size_t>(capacity / kShards, 1)) {}

std::shared_ptr<const JwtClaims> VerifiedTokenCache::find(std::string_view token,
                                                          std::int64_t now_unix) {
  const auto h = std::hash<std::string_view>{}(token);
  auto& shard = shards_[h % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(h);
  if (it == shard.entries.end()) return nullptr;
  const auto& e = it->second;
  if (!constant_time_equal_bytes(e.token, token)) return nullptr;
  if (now_unix >= e.claims->exp) {
    shard.entries.erase(it);
    return nullptr;
  }
  return e.claims;
}

void VerifiedTokenCache::insert(std::string_view token, std::shared_ptr<const JwtClaims> claims) {
  const auto h = std::hash<std::string_view>{}(token);
  auto& shard = shards_[h % kShards];
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= per_shard_) shard.entries.clear();  // crude but bounded
  shard.entries.insert_or_assign(h, Entry{std::string(token), std::move(claims)});
}

}  // namespace autoblog::auth
