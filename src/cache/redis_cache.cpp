#include "cache/redis_cache.h"

#include <string>
#include <vector>

#include "observability/log.h"

namespace autoblog::cache {

namespace {
// Keys per SCAN step: large enough to keep round trips few, small enough that one step (and the
// UNLINK that follows) stays far below a millisecond of Redis time.
constexpr int kScanCount = 500;
}  // namespace

RedisCache::RedisCache(redis::Client& client) : client_(client) {}

std::string RedisCache::key_for(std::string_view tenant_id, std::string_view key) {
  std::string out;
  out.reserve(3 + tenant_id.size() + key.size());
  append_key(out, tenant_id, key);
  return out;
}

void RedisCache::append_key(std::string& out, std::string_view tenant_id, std::string_view key) {
  out.append("t:").append(tenant_id).append(":").append(key);
}

std::string RedisCache::pattern_for(std::string_view tenant_id) {
  // Tenant ids are UUIDs, but a stray '*' or '[' would widen the match to other tenants' keys.
  std::string out = "t:";
  for (char c : tenant_id) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.append(":*");
  return out;
}

boost::asio::awaitable<std::optional<std::string>> RedisCache::get(std::string_view tenant_id,
                                                                   std::string_view key) {
  std::vector<std::string> cmd;
  cmd.push_back("GET");
  cmd.push_back(key_for(tenant_id, key));
  try {
    auto reply = co_await client_.command(std::move(cmd));
    if (reply.type == redis::Reply::Type::kString) co_return std::move(reply.str);
  } catch (const std::exception&) {
    // A miss: the caller recomputes. The client logs the outage itself, once.
  }
  co_return std::nullopt;
}

boost::asio::awaitable<void> RedisCache::set(std::string_view tenant_id, std::string_view key,
                                             std::string value, std::chrono::seconds ttl) {
  // Same contract as the in-process cache: a non-positive TTL stores nothing (and drops the old
  // value) rather than an entry that never expires.
  if (ttl.count() <= 0) {
    co_await del(tenant_id, key);
    co_return;
  }
  std::vector<std::string> cmd;
  cmd.push_back("SET");
  cmd.push_back(key_for(tenant_id, key));
  cmd.push_back(std::move(value));
  cmd.push_back("EX");
  cmd.push_back(std::to_string(ttl.count()));
  try {
    co_await client_.command(std::move(cmd));
  } catch (const std::exception&) {
  }
}

boost::asio::awaitable<void> RedisCache::del(std::string_view tenant_id, std::string_view key) {
  std::vector<std::string> cmd;
  cmd.push_back("DEL");
  cmd.push_back(key_for(tenant_id, key));
  try {
    co_await client_.command(std::move(cmd));
  } catch (const std::exception&) {
  }
}

boost::asio::awaitable<std::int64_t> RedisCache::walk(std::string tenant_id, bool unlink) {
  const std::string pattern = pattern_for(tenant_id);
  std::string cursor = "0";
  std::int64_t seen = 0;
  do {
    std::vector<std::string> scan;
    scan.push_back("SCAN");
    scan.push_back(cursor);
    scan.push_back("MATCH");
    scan.push_back(pattern);
    scan.push_back("COUNT");
    scan.push_back(std::to_string(kScanCount));
    auto reply = co_await client_.command(std::move(scan));
    if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 2 ||
        reply.elements[1].type != redis::Reply::Type::kArray) {
      throw std::runtime_error("unexpected SCAN reply");
    }
    cursor = std::move(reply.elements[0].str);
    auto& batch = reply.elements[1].elements;
    seen += static_cast<std::int64_t>(batch.size());
    if (unlink && !batch.empty()) {
      // UNLINK frees the values in a background thread: a tenant's large entries never stall Redis.
      std::vector<std::string> cmd;
      cmd.reserve(batch.size() + 1);
      cmd.push_back("UNLINK");
      for (auto& k : batch) cmd.push_back(std::move(k.str));
      co_await client_.command(std::move(cmd));
    }
  } while (cursor != "0");
  co_return seen;
}

boost::asio::awaitable<void> RedisCache::clear_tenant(std::string_view tenant_id) {
  std::string tenant(tenant_id);
  std::string error;
  try {
    co_await walk(tenant, true);
  } catch (const std::exception& e) {
    error = e.what();
  }
  // Unlike a missed get, a half-done clear leaves stale entries behind until their TTL: say so.
  if (!error.empty()) {
    observability::log_warn("cache clear_tenant incomplete",
                            {{"tenant_id", tenant}, {"error", error}});
  }
}

boost::asio::awaitable<std::int64_t> RedisCache::count_entries(std::string_view tenant_id) {
  std::int64_t n = 0;
  try {
    n = co_await walk(std::string(tenant_id), false);
  } catch (const std::exception&) {
    n = 0;
  }
  co_return n;
}

boost::asio::awaitable<bool> RedisCache::ping() {
  std::vector<std::string> cmd;
  cmd.push_back("PING");
  bool ok = false;
  try {
    auto reply = co_await client_.command(std::move(cmd));
    ok = reply.type == redis::Reply::Type::kStatus && reply.str == "PONG";
  } catch (const std::exception&) {
    ok = false;
  }
  co_return ok;
}

}  // namespace autoblog::cache
