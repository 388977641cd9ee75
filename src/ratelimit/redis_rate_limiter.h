#pragma once
// The rate limiter shared by every API node (docs/api.md and docs/operations.md): the GCRA runs
// inside Redis in a Lua script (EVALSHA), with Redis TIME as the clock, so nodes with skewed
// clocks still enforce one budget per tenant. State per tenant is one key, `rl:{tenant_id}`,
// holding "<TAT>:<limit>": the theoretical arrival time (microseconds) and the limit it was
// computed with, so that a changed limit rescales the TAT as gcra.h's rescale_tat does; it
// expires once the bucket would be full again, so idle tenants cost no memory.
//
// Decisions are batched per event loop: the decisions asked for during one event-loop turn (the
// requests whose bytes arrived together) go to Redis as ONE script call, which decides them in
// arrival order against one reading of Redis TIME, exactly as that many calls one after another
// would. Requests of the same tenant (and limit and cache entry) in a batch are one group: the
// script reads and writes that tenant's bucket once for the whole group. A busy tenant's
// decisions thus cost Redis one bucket read and write per turn instead of per request, and
// every batch one command, one script invocation and one reply; a batch has at most
// kMaxBatch decisions (more go out as further calls).
//
// check_and_read also reads one tenant-cache entry (cache::RedisCache's key, `t:{tenant_id}:{key}`)
// in the same script call, when the request is allowed: one command and one round trip for
// the decision and the cache lookup of a request. (A batch holds several tenants' keys in one
// script call, so a Redis Cluster would need them in one hash slot; the client talks to a single
// server.)
//
// When Redis fails (down, timing out, or any other error), the decisions come from `fallback`
// (the node's in-process limiter) instead of failing the requests: a warning is logged once per
// outage (and an info line when Redis is back), and `on_fallback` is called for every such
// decision so that the caller can count it in a metric. The Redis client's circuit breaker keeps
// this path free of added latency during an outage. A caller cancelled while it waits (request
// deadline, client gone, shutdown) gets operation_aborted at once; if its decision was already
// sent, it still counts (the request reached the node), and its answer is dropped.
//
// Thread-safety: thread-safe (Client and fallback are); callers' coroutines must run on a strand
// or a single-threaded executor (they are resumed there). A batch is sent from the executor of
// its first caller. Ownership: holds references to `client` and `fallback`, which must outlive it
// and every decision in progress; `on_fallback` must be thread-safe.
#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "ratelimit/rate_limiter.h"
#include "redis/client.h"

namespace autoblog::ratelimit {

class RedisRateLimiter : public RateLimiter {
 public:
  RedisRateLimiter(redis::Client& client, RateLimiter& fallback,
                   std::function<void()> on_fallback = {});

  // At most this many decisions go in one script call.
  static constexpr std::size_t kMaxBatch = 256;

  // Throws std::invalid_argument when requests_per_hour <= 0; never throws for Redis problems.
  boost::asio::awaitable<Decision> check(std::string_view tenant_id,
                                         std::int64_t requests_per_hour) override;
  // As check(); with a `cache_key`, Decision::prefetched is set whenever Redis answered and the
  // request is allowed.
  // On a fallback to the in-process limiter nothing is read (the caller asks the cache, which
  // fails fast while Redis is down).
  // `tenant_id` and `cache_key` are copied when the awaitable is first awaited, so they must be
  // valid until then (as for any coroutine taking views).
  boost::asio::awaitable<Decision> check_and_read(std::string_view tenant_id,
                                                  std::int64_t requests_per_hour,
                                                  std::string_view cache_key) override;

  // The Lua source (exposed for tests and for operators reading docs).
  static const std::string& script_source();

 private:
  struct Waiter;
  struct Group;
  struct BatchArguments;
  // The decisions asked for on one event loop (util::current_loop() % kSlots) and not sent yet.
  struct alignas(64) Slot {
    std::mutex mutex;
    std::vector<std::shared_ptr<Waiter>> waiting;
    bool sending = false;  // a sender runs (or is posted) for this slot
  };
  static constexpr std::size_t kSlots = 16;

  void enqueue(std::shared_ptr<Waiter> waiter);
  boost::asio::awaitable<void> send(Slot& slot);
  boost::asio::awaitable<void> decide(std::span<const std::shared_ptr<Waiter>> batch);
  boost::asio::awaitable<void> fall_back(std::span<const std::shared_ptr<Waiter>> batch,
                                         const std::string& error);

  redis::Client& client_;
  RateLimiter& fallback_;
  std::function<void()> on_fallback_;
  redis::Script script_;
  std::atomic<bool> degraded_{false};  // true from the first fallback until Redis answers again
  std::array<Slot, kSlots> slots_;
};

}  // namespace autoblog::ratelimit
