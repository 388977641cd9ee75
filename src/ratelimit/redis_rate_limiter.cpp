#include "ratelimit/redis_rate_limiter.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <cmath>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "cache/redis_cache.h"
#include "observability/log.h"
#include "util/event_loop.h"
#include "util/pending_call.h"

namespace autoblog::ratelimit {

namespace asio = boost::asio;

namespace {

// GCRA with emission interval T = 3600 s / limit and a burst of `limit` (tolerance (limit-1)·T).
// A request is allowed iff max(TAT, now) - now <= tolerance; then TAT advances by T.
// Times are microseconds. Lua 5.1 prints numbers with %.14g, which would truncate a microsecond
// timestamp (16 digits), so the TAT is stored with an explicit %.0f. The epsilon in the floor
// keeps a fractional T (limits that do not divide 3600 s) from losing a request to rounding.
// redis.replicate_commands() is needed by Redis < 5 to write after reading TIME; newer servers
// replicate effects anyway (and in 7 it is a no-op), hence the guarded call.
//
// One call decides a batch (redis_rate_limiter.h). Per group of requests, in order: KEYS gets
// its bucket key, then its cache entry's key when it has one; ARGV gets its limit, its number of
// requests and 1 or 0 (whether a cache key follows). All requests of a batch arrive at one `now`,
// so the allowed ones of a group are a prefix of it: the script counts them, and replies per
// group with that count, the backlog before the group (TAT - now, µs, as %.17g: exact) and the
// cache entry's value (nil when there is none, none was asked for, or nothing was allowed).
// GroupDecisions replays the same steps in the same double arithmetic for each request's
// headers, so the reply stays three values per group whatever its size.
const std::string kGcraScript = R"lua(
if redis.replicate_commands then pcall(redis.replicate_commands) end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local out, n, k = {}, 0, 1
for i = 1, #ARGV, 3 do
  local limit, count = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local bucket, entry = KEYS[k], false
  if ARGV[i + 2] == '1' then
    entry = KEYS[k + 1]
    k = k + 2
  else
    k = k + 1
  end
  local interval = 3600000000 / limit
  local tolerance = (limit - 1) * interval
  local tat = now
  local stored = redis.call('GET', bucket)
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
  local backlog = tat - now
  if backlog < 0 then backlog = 0 end
  local d, allowed = backlog, 0
  while allowed < count and d <= tolerance do
    d = d + interval
    allowed = allowed + 1
  end
  if allowed > 0 then
    redis.call('SET', bucket, string.format('%.0f:%d', now + d, limit), 'PX',
               string.format('%.0f', math.ceil(d / 1000) + 1000))
  end
  out[n + 1] = allowed
  out[n + 2] = string.format('%.17g', backlog)
  out[n + 3] = (entry and allowed > 0) and redis.call('GET', entry) or false
  n = n + 3
end
return out
)lua";

using Type = redis::Reply::Type;

[[noreturn]] void bad_reply() {
  throw std::runtime_error("unexpected reply from the rate limit script");
}

// The decisions of one group, replayed from the script's answer with the script's arithmetic
// (doubles, in the same order), so the headers are what the script itself would have computed.
class GroupDecisions {
 public:
  // `reply` points at the group's three elements.
  GroupDecisions(const redis::Reply* reply, std::int64_t limit, std::size_t count)
      : limit_(limit),
        interval_(3600000000.0 / static_cast<double>(limit)),
        tolerance_(static_cast<double>(limit - 1) * interval_) {
    if (reply[0].type != Type::kInteger || reply[0].integer < 0 ||
        static_cast<std::uint64_t>(reply[0].integer) > count || reply[1].type != Type::kString ||
        (reply[2].type != Type::kString && reply[2].type != Type::kNil))
      bad_reply();
    allowed_ = static_cast<std::size_t>(reply[0].integer);
    const std::string& backlog = reply[1].str;
    const auto [end, ec] = std::from_chars(backlog.data(), backlog.data() + backlog.size(), d_);
    if (ec != std::errc() || end != backlog.data() + backlog.size() || !(d_ >= 0)) bad_reply();
    entry_ = &reply[2];
  }

  // The next request's decision (call once per request of the group, in order).
  Decision next(std::string_view cache_key) {
    Decision d;
    d.limit = limit_;
    d.allowed = taken_ < allowed_;
    if (d.allowed) {
      d_ += interval_;
      ++taken_;
    } else {
      d.retry_after_seconds =
          std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((d_ - tolerance_) / 1e6)));
    }
    const double remaining =
        std::floor((static_cast<double>(limit_) * interval_ - d_) / interval_ + 1e-9);
    d.remaining = remaining < 0 ? 0 : static_cast<std::int64_t>(remaining);
    d.reset_seconds = static_cast<std::int64_t>(std::ceil(d_ / 1e6));
    if (d.allowed && !cache_key.empty()) {
      d.prefetched.emplace();
      d.prefetched->key = cache_key;
      if (entry_->type == Type::kString) d.prefetched->value = entry_->str;
    }
    return d;
  }

 private:
  const std::int64_t limit_;
  const double interval_, tolerance_;
  double d_ = 0;  // TAT - now before the next request
  std::size_t allowed_ = 0, taken_ = 0;
  const redis::Reply* entry_ = nullptr;
};
}  // namespace

const std::string& RedisRateLimiter::script_source() {
  return kGcraScript;
}

// One caller's decision, waiting in its loop's slot and then in a batch. Owns copies of its
// tenant id and cache key: a cancelled caller's request may be gone before the batch is sent.
struct RedisRateLimiter::Waiter : util::PendingCall<Decision> {
  Waiter(Handler h, asio::any_io_executor ex, std::string_view tenant, std::int64_t limit,
         std::string_view key)
      : PendingCall(std::move(h), std::move(ex)),
        tenant_id(tenant),
        requests_per_hour(limit),
        cache_key(key) {}
  const std::string tenant_id;
  const std::int64_t requests_per_hour;
  const std::string cache_key;

  // One group of a batch: the same bucket, limit and cache entry.
  bool same_group(const Waiter& o) const {
    return tenant_id == o.tenant_id && requests_per_hour == o.requests_per_hour &&
           cache_key == o.cache_key;
  }
  bool operator<(const Waiter& o) const {
    if (int c = tenant_id.compare(o.tenant_id)) return c < 0;
    if (requests_per_hour != o.requests_per_hour) return requests_per_hour < o.requests_per_hour;
    return cache_key < o.cache_key;
  }
};

// A run of a sorted batch with the same bucket, limit and cache entry: batch[first, first+count).
struct RedisRateLimiter::Group {
  std::size_t first, count;
};

// The EVALSHA keys and arguments of a batch (the script's layout, above): all in one buffer,
// viewed once it is complete. Not copyable or movable: the views point into it.
struct RedisRateLimiter::BatchArguments {
  BatchArguments(std::span<const std::shared_ptr<Waiter>> batch, std::span<const Group> groups) {
    std::vector<std::pair<std::size_t, std::size_t>> key_at, arg_at;  // offset, length
    const auto mark = [this](auto& spans, std::size_t from) {
      spans.emplace_back(from, text.size() - from);
    };
    for (const auto& g : groups) {
      const Waiter& w = *batch[g.first];
      std::size_t from = text.size();
      text.append("rl:").append(w.tenant_id);
      mark(key_at, from);
      if (!w.cache_key.empty()) {
        from = text.size();
        cache::RedisCache::append_key(text, w.tenant_id, w.cache_key);
        mark(key_at, from);
      }
      for (const std::int64_t n : {w.requests_per_hour, static_cast<std::int64_t>(g.count)}) {
        from = text.size();
        char digits[24];
        text.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
        mark(arg_at, from);
      }
      from = text.size();
      text.push_back(w.cache_key.empty() ? '0' : '1');
      mark(arg_at, from);
    }
    const std::string_view all(text);
    keys.reserve(key_at.size());
    args.reserve(arg_at.size());
    for (auto [at, n] : key_at) keys.push_back(all.substr(at, n));
    for (auto [at, n] : arg_at) args.push_back(all.substr(at, n));
  }
  BatchArguments(const BatchArguments&) = delete;
  BatchArguments& operator=(const BatchArguments&) = delete;

  std::string text;
  std::vector<std::string_view> keys, args;
};

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

// No coroutine frame of its own: the caller waits on its Waiter, which the batch settles.
boost::asio::awaitable<Decision> RedisRateLimiter::check_and_read(std::string_view tenant_id,
                                                                  std::int64_t requests_per_hour,
                                                                  std::string_view cache_key) {
  if (requests_per_hour <= 0) throw std::invalid_argument("requests_per_hour must be positive");
  // The fallback executor is never used: an awaiting coroutine's handler carries its own.
  return util::PendingCall<Decision>::wait<Waiter>(
      asio::any_io_executor(),
      [tenant_id, requests_per_hour, cache_key](util::PendingCall<Decision>::Handler h,
                                                asio::any_io_executor caller) {
        return std::make_shared<Waiter>(std::move(h), std::move(caller), tenant_id,
                                        requests_per_hour, cache_key);
      },
      [this](std::shared_ptr<Waiter> waiter) { enqueue(std::move(waiter)); });
}

// A loop sends one batch at a time: decisions asked for while its batch is out wait, and leave
// together as the next batch as soon as the answer is in. So under load a batch holds what
// arrived during one round trip (Redis is woken once per round trip and loop, not once per
// request), and when idle a decision waits for no one: the first decision of a batch posts the
// start of its sender (co_spawn itself would start it at once, inside this call), which runs
// after the handlers already queued on the loop, whose requests join it meanwhile.
void RedisRateLimiter::enqueue(std::shared_ptr<Waiter> waiter) {
  Slot& slot = slots_[util::current_loop() % kSlots];
  auto executor = waiter->caller_executor();  // a batch is sent from its first caller's
  bool start;
  {
    std::lock_guard lock(slot.mutex);
    slot.waiting.push_back(std::move(waiter));
    start = !slot.sending;
    slot.sending = true;
  }
  if (start) {
    asio::post(executor,
               [this, &slot, executor] { asio::co_spawn(executor, send(slot), asio::detached); });
  }
}

asio::awaitable<void> RedisRateLimiter::send(Slot& slot) {
  for (;;) {
    std::vector<std::shared_ptr<Waiter>> batch;
    {
      std::lock_guard lock(slot.mutex);
      batch.swap(slot.waiting);
      if (batch.empty()) {
        slot.sending = false;
        co_return;
      }
    }
    // Callers cancelled before the batch left need no decision.
    std::erase_if(batch, [](const auto& w) { return w->settled(); });
    // Groups are runs of equal (tenant, limit, cache key); stable: each keeps arrival order.
    std::stable_sort(batch.begin(), batch.end(),
                     [](const auto& a, const auto& b) { return *a < *b; });
    std::span<const std::shared_ptr<Waiter>> rest(batch);
    while (!rest.empty()) {
      const auto chunk = rest.first(std::min(rest.size(), kMaxBatch));
      rest = rest.subspan(chunk.size());
      co_await decide(chunk);  // settles every caller of the chunk, whatever happens
    }
  }
}

// One script call for `batch` (sorted into groups), and every caller's decision from its reply.
asio::awaitable<void> RedisRateLimiter::decide(std::span<const std::shared_ptr<Waiter>> batch) {
  std::string error;
  try {  // whatever fails, every caller gets a decision: a sender that died would strand its loop
    std::vector<Group> groups;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i > 0 && batch[i]->same_group(*batch[groups.back().first]))
        ++groups.back().count;
      else
        groups.push_back({i, 1});
    }
    const BatchArguments arguments(batch, groups);
    auto call = client_.eval(script_, arguments.keys, arguments.args);
    const redis::Reply reply = co_await std::move(call);

    const auto& e = reply.elements;
    if (reply.type != Type::kArray || e.size() != 3 * groups.size()) bad_reply();
    std::vector<Decision> decisions;
    decisions.reserve(batch.size());
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const Waiter& w = *batch[groups[g].first];
      GroupDecisions group(&e[3 * g], w.requests_per_hour, groups[g].count);
      for (std::size_t i = 0; i < groups[g].count; ++i)
        decisions.push_back(group.next(w.cache_key));
    }
    if (degraded_.exchange(false)) observability::log_info("rate limiter using redis again");
    for (std::size_t i = 0; i < batch.size(); ++i)
      Waiter::settle(batch[i], nullptr, std::move(decisions[i]));
    co_return;
  } catch (const boost::system::system_error& e) {
    // Only shutdown cancels the batch itself (it is not tied to any caller): nothing to decide.
    if (e.code() == boost::asio::error::operation_aborted) {
      for (const auto& w : batch) Waiter::settle(w, std::current_exception(), {});
      co_return;
    }
    error = e.what();
  } catch (const std::exception& e) {
    // Any failure, not only RedisUnavailable: a broken script or a misconfigured server must not
    // turn every tenant request into a 500 either.
    error = e.what();
  }
  co_await fall_back(batch, error);
}

asio::awaitable<void> RedisRateLimiter::fall_back(std::span<const std::shared_ptr<Waiter>> batch,
                                                  const std::string& error) {
  if (!degraded_.exchange(true)) {
    observability::log_warn("rate limiter falling back to in-process", {{"error", error}});
  }
  for (const auto& w : batch) {
    if (w->settled()) continue;
    if (on_fallback_) on_fallback_();
    std::exception_ptr failure;
    Decision d;
    try {
      auto now = fallback_.check_at_once(w->tenant_id, w->requests_per_hour);
      if (now) {
        d = std::move(*now);
      } else {
        auto later = fallback_.check(w->tenant_id, w->requests_per_hour);
        d = co_await std::move(later);
      }
    } catch (...) {
      failure = std::current_exception();
    }
    Waiter::settle(w, failure, std::move(d));
  }
}

}  // namespace autoblog::ratelimit
