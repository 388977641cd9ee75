#include "ratelimit/redis_rate_limiter.h"

#include <array>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "cache/redis_cache.h"
#include "observability/log.h"

namespace autoblog::ratelimit {

namespace {

// GCRA with emission interval T = 3600 s / limit and a burst of `limit` (tolerance (limit-1)·T).
// A request is allowed iff max(TAT, now) - now <= tolerance; then TAT advances by T.
// Times are microseconds. Lua 5.1 prints numbers with %.14g, which would truncate a microsecond
// timestamp (16 digits), so the TAT is stored with an explicit %.0f. The epsilon in the floor
// keeps a fractional T (limits that do not divide 3600 s) from losing a request to rounding.
// redis.replicate_commands() is needed by Redis < 5 to write after reading TIME; newer servers
// replicate effects anyway (and in 7 it is a no-op), hence the guarded call.
// KEYS[2], when given, is a tenant-cache entry read for the caller when the request is allowed
// (a fifth element: its value, or nil, which Lua's false becomes).
const std::string kGcraScript = R"lua(
if redis.replicate_commands then pcall(redis.replicate_commands) end
local limit = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = 3600000000 / limit
local tolerance = (limit - 1) * interval
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then
  local sep = string.find(stored, ':', 1, true)
  if sep then
    tat = tonumber(string.sub(stored, 1, sep - 1)) or now
    local old_limit = tonumber(string.sub(stored, sep + 1))
    -- A changed limit (gcra.h, rescale_tat): the backlog keeps its fraction of the burst
    -- window (limit * interval, one hour for every limit here, so the TAT stays as it is) or
    -- its count of requests (scaled by old/new), whichever leaves more room: only a raised
    -- limit changes the TAT.
    if old_limit and old_limit > 0 and old_limit < limit and tat > now then
      tat = now + (tat - now) * old_limit / limit
    end
  else
    tat = tonumber(stored) or now
  end
end
if tat < now then tat = now end
local function remaining_after(t)
  local r = math.floor((limit * interval - (t - now)) / interval + 1e-9)
  if r < 0 then r = 0 end
  return r
end
if tat - now > tolerance then
  local retry = math.ceil((tat - tolerance - now) / 1000000)
  if retry < 1 then retry = 1 end
  return {0, remaining_after(tat), math.ceil((tat - now) / 1000000), retry}
end
local new_tat = tat + interval
local idle_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f:%d', new_tat, limit), 'PX',
           string.format('%.0f', idle_ms))
local reset = math.ceil((new_tat - now) / 1000000)
if KEYS[2] then
  return {1, remaining_after(new_tat), reset, 0, redis.call('GET', KEYS[2])}
end
return {1, remaining_after(new_tat), reset, 0}
)lua";

// `cache_key` non-empty: the script was asked for that entry too (KEYS[2]).
Decision parse_decision(redis::Reply& reply, std::int64_t limit, std::string_view cache_key) {
  using Type = redis::Reply::Type;
  auto& e = reply.elements;
  const bool with_entry = !cache_key.empty() && e.size() == 5;
  if (reply.type != Type::kArray || (e.size() != 4 && !with_entry)) {
    throw std::runtime_error("unexpected reply from the rate limit script");
  }
  for (std::size_t i = 0; i < 4; ++i) {
    if (e[i].type != Type::kInteger)
      throw std::runtime_error("unexpected reply from the rate limit script");
  }
  Decision d;
  d.allowed = e[0].integer == 1;
  d.limit = limit;
  d.remaining = e[1].integer;
  d.reset_seconds = e[2].integer;
  d.retry_after_seconds = d.allowed ? 0 : e[3].integer;
  if (with_entry) {
    if (e[4].type != Type::kString && e[4].type != Type::kNil)
      throw std::runtime_error("unexpected reply from the rate limit script");
    d.prefetched.emplace();
    d.prefetched->key = cache_key;
    if (e[4].type == Type::kString) d.prefetched->value = std::move(e[4].str);
  }
  return d;
}

}  // namespace

const std::string& RedisRateLimiter::script_source() {
  return kGcraScript;
}

RedisRateLimiter::RedisRateLimiter(redis::Client& client, RateLimiter& fallback,
                                   std::function<void()> on_fallback)
    : client_(client),
      fallback_(fallback),
      on_fallback_(std::move(on_fallback)),
      script_(kGcraScript) {}

boost::asio::awaitable<Decision> RedisRateLimiter::check(std::string_view tenant_id,
                                                         std::int64_t requests_per_hour) {
  return check_and_read(tenant_id, requests_per_hour, {});
}

boost::asio::awaitable<Decision> RedisRateLimiter::check_and_read(std::string_view tenant_id,
                                                                  std::int64_t requests_per_hour,
                                                                  std::string_view cache_key) {
  if (requests_per_hour <= 0) throw std::invalid_argument("requests_per_hour must be positive");
  std::optional<Decision> decision;
  std::string error;
  try {
    // Both keys in one buffer, the limit in digits: this runs on every request.
    std::string text;
    text.reserve(8 + 2 * tenant_id.size() + cache_key.size());
    text.append("rl:").append(tenant_id);
    const std::size_t bucket_size = text.size();
    if (!cache_key.empty()) cache::RedisCache::append_key(text, tenant_id, cache_key);
    const std::string_view all(text);
    const std::array<std::string_view, 2> keys{all.substr(0, bucket_size), all.substr(bucket_size)};
    char digits[24];
    const std::string_view limit(
        digits, std::to_chars(digits, digits + sizeof digits, requests_per_hour).ptr);
    auto call = client_.eval(script_, std::span(keys).first(cache_key.empty() ? 1 : 2),
                             std::span(&limit, 1));
    auto reply = co_await std::move(call);
    decision = parse_decision(reply, requests_per_hour, cache_key);
  } catch (const boost::system::system_error& e) {
    // The request itself was cancelled (deadline, client gone, shutdown): no decision is needed,
    // and it says nothing about Redis, so no fallback, warning or metric either.
    if (e.code() == boost::asio::error::operation_aborted) throw;
    error = e.what();
  } catch (const std::exception& e) {
    // Any failure, not only RedisUnavailable: a broken script or a misconfigured server must not
    // turn every tenant request into a 500 either.
    error = e.what();
  }
  if (decision) {
    if (degraded_.exchange(false)) {
      observability::log_info("rate limiter using redis again");
    }
    co_return *decision;
  }
  if (!degraded_.exchange(true)) {
    observability::log_warn("rate limiter falling back to in-process", {{"error", error}});
  }
  if (on_fallback_) on_fallback_();
  co_return co_await fallback_.check(tenant_id, requests_per_hour);
}

}  // namespace autoblog::ratelimit
