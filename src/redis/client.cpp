#include "redis/client.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/strand.hpp>
#include <mutex>

#include "observability/log.h"
#include "redis/connection.h"
#include "util/crypto.h"
#include "util/event_loop.h"

namespace autoblog::redis {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using detail::Connection;

Script::Script(std::string lua) : source_(std::move(lua)), sha1_(util::sha1_hex(source_)) {}

struct Client::Impl {
  // One multiplexed connection slot; `conn` is replaced when it dies (lazily, by the next call).
  struct Lane {
    std::mutex mutex;
    std::shared_ptr<Connection> conn;
  };

  Impl(std::vector<asio::any_io_executor> ex, bool one_thread_per_loop, const ClientOptions& opts)
      : loops(std::move(ex)),
        one_thread_per_loop(one_thread_per_loop),
        options(opts),
        url(parse_redis_url(opts.url)),
        where(describe(url)),
        lanes(static_cast<std::size_t>(opts.pool_size)) {}
  ~Impl() {
    for (auto& lane : lanes) {
      if (lane.conn) lane.conn->close_now();
    }
  }

  // Sends `wire` and returns a reply that is not an error (RedisError otherwise); with `script`,
  // NOSCRIPT loads it and sends `wire` once more.
  asio::awaitable<Reply> call(std::string wire, const Script* script);
  bool admit();
  void end_probe();
  std::shared_ptr<Connection> connection(bool probe);
  void trip(const std::string& why);
  void succeeded();

  std::vector<asio::any_io_executor> loops;  // loop i's lane connects on loops[i % size]
  const bool one_thread_per_loop;            // else a connection runs on a strand of its loop
  const ClientOptions options;
  const RedisUrl url;
  const std::string where;  // host:port or unix:path, for messages (never the password)
  std::vector<Lane> lanes;
  const std::shared_ptr<detail::Totals> totals = std::make_shared<detail::Totals>();

  std::mutex mutex;  // the circuit breaker's state
  bool circuit_open = false;
  bool probing = false;
  Clock::time_point retry_at;
  std::atomic<bool> available{true};  // mirrors !circuit_open for the lock-free fast path
};

// Decides whether a call may go to Redis. Returns true when this call is the circuit's probe.
bool Client::Impl::admit() {
  if (available.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(mutex);
  if (!circuit_open) return false;
  if (probing || Clock::now() < retry_at) {
    throw RedisUnavailable("redis at " + where + " is unavailable (failing fast)");
  }
  probing = true;
  return true;
}

void Client::Impl::end_probe() {
  std::lock_guard lock(mutex);
  probing = false;
}

void Client::Impl::trip(const std::string& why) {
  bool was_open;
  {
    std::lock_guard lock(mutex);
    was_open = circuit_open;
    circuit_open = true;
    probing = false;
    retry_at = Clock::now() + options.retry_interval;
    available.store(false, std::memory_order_release);
  }
  // Idle connections to a server that just failed are suspect (a partition shows no EOF): the
  // probe will open a fresh one, bounded by the connect timeout. Busy ones keep their commands:
  // those either get their replies or fail at their deadline.
  for (auto& lane : lanes) {
    std::lock_guard lock(lane.mutex);
    if (lane.conn && lane.conn->pending() == 0) {
      lane.conn->close("redis at " + where + " is unavailable");
      lane.conn.reset();
    }
  }
  if (!was_open) {
    observability::log_warn(
        "redis unavailable; failing fast until a probe succeeds",
        {{"redis", where},
         {"error", why},
         {"retry_interval_ms", static_cast<std::int64_t>(options.retry_interval.count())}});
  }
}

void Client::Impl::succeeded() {
  if (available.load(std::memory_order_acquire)) return;
  bool closed = false;
  {
    std::lock_guard lock(mutex);
    if (circuit_open) {
      circuit_open = false;
      probing = false;
      available.store(true, std::memory_order_release);
      closed = true;
    }
  }
  if (closed) observability::log_info("redis available again", {{"redis", where}});
}

// The calling event loop's connection, opened (or replaced, if it died) on demand, on that loop:
// callers on one loop share it, so the commands of one event-loop turn leave in one write and
// its replies are read on the callers' own thread. While the circuit is open only the probe may
// open one.
std::shared_ptr<Connection> Client::Impl::connection(bool probe) {
  const std::size_t loop = util::current_loop();
  Lane& lane = lanes[loop % lanes.size()];
  std::lock_guard lock(lane.mutex);
  auto& conn = lane.conn;
  // An idle connection the server closed (restart, CLIENT KILL, idle timeout) is replaced
  // before use instead of costing a failed command and a tripped circuit.
  if (conn && !conn->dead() && conn->pending() == 0 && !conn->looks_alive()) {
    conn->close("redis at " + where + " closed the idle connection");
    conn.reset();
  }
  if (!conn || conn->dead()) {
    if (!probe && !available.load(std::memory_order_acquire)) {
      throw RedisUnavailable("redis at " + where + " is unavailable (failing fast)");
    }
    const auto& executor = loops[loop % loops.size()];
    conn = std::make_shared<Connection>(
        one_thread_per_loop ? executor : asio::any_io_executor(asio::make_strand(executor)), url,
        where, options.connect_timeout, totals);
    conn->start();
  }
  if (conn->pending() >= static_cast<std::size_t>(options.max_pending)) {
    // Not an outage (Redis answers; we are saturated), so the circuit stays as it is.
    throw RedisUnavailable("redis client busy: " + std::to_string(options.max_pending) +
                           " commands already queued on the connection");
  }
  return conn;
}

// One coroutine frame per command, retry included: it runs on every batch of rate-limit
// decisions.
asio::awaitable<Reply> Client::Impl::call(std::string wire, const Script* script) {
  for (bool retried = false;; retried = true) {
    const bool probe = admit();
    // A probe that ends without a verdict (say, a busy connection) must not block every later
    // one.
    struct ProbeGuard {
      Impl* impl;
      bool active;
      ~ProbeGuard() {
        if (active) impl->end_probe();
      }
    } guard{this, probe};

    auto conn = connection(probe);
    // One deadline for the whole command: queueing, connecting if need be, and the round trip.
    const auto deadline = Clock::now() + options.command_timeout;
    Reply reply;
    std::exception_ptr failure;
    std::string why;
    try {
      reply = co_await conn->submit(wire, deadline);
    } catch (const RedisUnavailable& e) {
      failure = std::current_exception();
      why = e.what();
    }
    if (failure) {
      trip(why);
      std::rethrow_exception(failure);
    }
    succeeded();
    if (reply.type != Reply::Type::kError) co_return reply;
    // NOSCRIPT: the server lost its script cache (restart, SCRIPT FLUSH, failover to a replica);
    // load the script and retry once.
    if (!script || retried || !std::string_view(reply.str).starts_with("NOSCRIPT"))
      throw RedisError(reply.str);
    const std::vector<std::string> load{"SCRIPT", "LOAD", script->source()};
    auto loading = call(detail::encode(load), nullptr);
    co_await std::move(loading);
  }
}

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : options_(std::move(options)) {
  std::vector<asio::any_io_executor> loops{std::move(executor)};
  init(std::move(loops), false);
}

Client::Client(std::vector<asio::any_io_executor> loops, ClientOptions options)
    : options_(std::move(options)) {
  init(std::move(loops), true);
}

void Client::init(std::vector<asio::any_io_executor> loops, bool one_thread_per_loop) {
  if (loops.empty()) throw std::invalid_argument("redis client needs an executor");
  if (options_.pool_size < 1) throw std::invalid_argument("redis pool_size must be at least 1");
  if (options_.max_pending < 1) throw std::invalid_argument("redis max_pending must be >= 1");
  if (options_.connect_timeout.count() <= 0 || options_.command_timeout.count() <= 0 ||
      options_.retry_interval.count() < 0) {
    throw std::invalid_argument("redis timeouts must be positive");
  }
  impl_ = std::make_unique<Impl>(std::move(loops), one_thread_per_loop, options_);
}

Client::~Client() = default;

bool Client::available() const {
  return impl_->available.load(std::memory_order_acquire);
}

ClientStats Client::stats() const {
  ClientStats out;
  out.commands_total = impl_->totals->commands.load(std::memory_order_relaxed);
  out.writes_total = impl_->totals->writes.load(std::memory_order_relaxed);
  for (auto& lane : impl_->lanes) {
    std::lock_guard lock(lane.mutex);
    if (!lane.conn || lane.conn->dead()) continue;
    ++out.connections;
    out.writes += lane.conn->writes();
    out.pending += lane.conn->pending();
  }
  return out;
}

asio::awaitable<Reply> Client::command(const std::vector<std::string>& args) {
  return impl_->call(detail::encode(args), nullptr);
}

asio::awaitable<Reply> Client::eval(const Script& script, std::span<const std::string_view> keys,
                                    std::span<const std::string_view> args) {
  return impl_->call(detail::encode_evalsha(script.sha1(), keys, args), &script);
}

}  // namespace autoblog::redis
