#include "redis/client.h"

#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <optional>

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <deque>
#include <mutex>

#include "observability/log.h"
#include "util/crypto.h"
#include "util/resource_pool.h"

namespace autoblog::redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct ReaderDeleter {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

Reply convert(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

// RESP encoding of one command, by hiredis (binary-safe: lengths are passed explicitly).
std::string encode(const std::vector<std::string>& args) {
  if (args.empty()) throw std::invalid_argument("empty redis command");
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* raw = nullptr;
  int n = redisFormatCommandArgv(&raw, static_cast<int>(args.size()), argv.data(), lengths.data());
  if (n < 0 || !raw) throw std::bad_alloc();
  std::string out(raw, static_cast<std::size_t>(n));
  redisFreeCommand(raw);
  return out;
}

// One TCP connection speaking RESP. Not thread-safe: the pool lends it to one coroutine at a time.
class Conn {
 public:
  explicit Conn(asio::any_io_executor executor)
      : socket_(executor), reader_(redisReaderCreate()), timer_(executor) {
    if (!reader_) throw std::bad_alloc();
  }
  ~Conn() { watch_->socket.store(nullptr); }

  static asio::awaitable<std::unique_ptr<Conn>> open(asio::any_io_executor executor,
                                                     const RedisUrl& url,
                                                     std::chrono::milliseconds timeout);

  asio::awaitable<Reply> roundtrip(const std::string& wire, Clock::time_point deadline) {
    co_await send(wire, deadline);
    co_return co_await read_reply(deadline);
  }

  bool broken() const { return broken_; }

  // An idle connection whose server went away (restart, idle timeout) has a pending EOF; checking
  // before reuse costs one nonblocking syscall and saves a failed command plus a tripped circuit.
  bool looks_alive() {
    if (broken_ || !socket_.is_open()) return false;
    char c;
    auto n = ::recv(socket_.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    return false;  // 0: closed by the server; > 0: bytes nobody asked for (out of sync)
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    broken_ = true;
    throw RedisUnavailable(what);
  }
  // The caller was cancelled (request deadline, client gone, shutdown) mid-command: the reply is
  // still coming, so the connection is out of step and discarded — but Redis is not at fault, so
  // the circuit stays closed.
  [[noreturn]] void cancelled() {
    broken_ = true;
    throw boost::system::system_error(asio::error::operation_aborted);
  }

  // Deadlines: one timer per connection whose handler cancels the socket. Racing each read and
  // write against a timer with awaitable operators cost more than the Redis command itself
  // (a parallel group per operation). The handler runs on the waiting coroutine's executor, so
  // it never runs concurrently with that coroutine's use of the socket; `Watch` lets a late
  // handler (timer already fired when the operation finished) see that its round is over.
  struct Watch {
    std::atomic<std::uint64_t> round{0};
    std::atomic<tcp::socket*> socket{nullptr};
    std::atomic<bool> fired{false};
  };

  class Armed {
   public:
    Armed(Conn& c, asio::any_io_executor ex, Clock::time_point deadline) : c_(c) {
      auto round = ++c.watch_->round;
      c.watch_->fired = false;
      c.watch_->socket = &c.socket_;
      c.timer_.expires_at(deadline);
      c.timer_.async_wait(asio::bind_executor(
          ex, [watch = c.watch_, round](boost::system::error_code ec) {
            if (ec || watch->round.load() != round) return;
            watch->fired = true;
            if (auto* sock = watch->socket.load()) {
              boost::system::error_code ignored;
              sock->cancel(ignored);
            }
          }));
    }
    ~Armed() {
      ++c_.watch_->round;  // a handler still queued for this round does nothing
      c_.timer_.cancel();
    }
    bool fired() const { return c_.watch_->fired.load(); }

   private:
    Conn& c_;
  };

  asio::awaitable<void> send(const std::string& wire, Clock::time_point deadline) {
    Armed armed(*this, co_await asio::this_coro::executor, deadline);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(wire), use_tuple);
    if (armed.fired()) fail("timed out sending to redis");
    if (ec == asio::error::operation_aborted) cancelled();
    if (ec) fail("sending to redis failed: " + ec.message());
  }

  asio::awaitable<Reply> read_reply(Clock::time_point deadline) {
    std::optional<Armed> armed;
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
        fail(std::string("redis protocol error: ") + reader_->errstr);
      }
      if (raw) {
        std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(raw));
        co_return convert(*reply);
      }
      if (!armed) armed.emplace(*this, co_await asio::this_coro::executor, deadline);
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer_), use_tuple);
      if (armed->fired()) fail("timed out waiting for redis");
      if (ec == asio::error::operation_aborted) cancelled();
      if (ec) fail("reading from redis failed: " + ec.message());
      if (redisReaderFeed(reader_.get(), buffer_.data(), n) != REDIS_OK) {
        fail(std::string("redis protocol error: ") + reader_->errstr);
      }
    }
  }

  tcp::socket socket_;
  std::unique_ptr<redisReader, ReaderDeleter> reader_;
  asio::steady_timer timer_;
  std::shared_ptr<Watch> watch_ = std::make_shared<Watch>();
  std::array<char, 16 * 1024> buffer_{};
  bool broken_ = false;
};

// getaddrinfo cannot be interrupted, so a resolution that outlives the deadline is abandoned
// rather than waited for: the state it writes to is shared and stays alive until it completes.
asio::awaitable<std::vector<tcp::endpoint>> resolve(const std::string& host, std::uint16_t port,
                                                    Clock::time_point deadline) {
  boost::system::error_code parse_error;
  auto address = asio::ip::make_address(host, parse_error);
  std::vector<tcp::endpoint> endpoints;
  if (!parse_error) {
    endpoints.emplace_back(address, port);
    co_return endpoints;
  }
  // Resolver and timer live on the calling coroutine's executor (a strand), so the completion
  // handler and this coroutine never touch the state at the same time.
  auto executor = co_await asio::this_coro::executor;
  struct State {
    tcp::resolver resolver;
    asio::steady_timer timer;
    bool done = false;
    boost::system::error_code ec;
    std::vector<tcp::endpoint> endpoints;
    State(asio::any_io_executor ex, Clock::time_point d) : resolver(ex), timer(ex, d) {}
  };
  auto state = std::make_shared<State>(executor, deadline);
  state->resolver.async_resolve(
      host, std::to_string(port),
      [state](boost::system::error_code ec, tcp::resolver::results_type results) {
        state->done = true;
        state->ec = ec;
        for (const auto& entry : results) state->endpoints.push_back(entry.endpoint());
        state->timer.cancel();
      });
  co_await state->timer.async_wait(use_tuple);
  if (!state->done) {
    state->resolver.cancel();
    throw RedisUnavailable("timed out resolving redis host " + host);
  }
  if (state->ec || state->endpoints.empty()) {
    throw RedisUnavailable("cannot resolve redis host " + host + ": " + state->ec.message());
  }
  co_return std::move(state->endpoints);
}

asio::awaitable<std::unique_ptr<Conn>> Conn::open(asio::any_io_executor executor,
                                                  const RedisUrl& url,
                                                  std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  const auto deadline = Clock::now() + timeout;
  const std::string where = url.host + ":" + std::to_string(url.port);
  auto endpoints = co_await resolve(url.host, url.port, deadline);

  auto conn = std::make_unique<Conn>(executor);
  boost::system::error_code last_error;
  bool connected = false;
  for (const auto& endpoint : endpoints) {
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    auto result =
        co_await (conn->socket_.async_connect(endpoint, use_tuple) || timer.async_wait(use_tuple));
    if (result.index() == 1) throw RedisUnavailable("timed out connecting to redis at " + where);
    auto [ec] = std::get<0>(result);
    if (!ec) {
      connected = true;
      break;
    }
    last_error = ec;
    boost::system::error_code ignored;
    conn->socket_.close(ignored);
  }
  if (!connected) {
    throw RedisUnavailable("cannot connect to redis at " + where + ": " + last_error.message());
  }
  boost::system::error_code ignored;
  conn->socket_.set_option(tcp::no_delay(true), ignored);

  // AUTH and SELECT go out together: one round trip for the handshake.
  std::string handshake;
  int expected = 0;
  if (!url.password.empty()) {
    std::vector<std::string> auth;
    auth.push_back("AUTH");
    if (!url.user.empty()) auth.push_back(url.user);
    auth.push_back(url.password);
    handshake += encode(auth);
    ++expected;
  }
  if (url.db != 0) {
    std::vector<std::string> select;
    select.push_back("SELECT");
    select.push_back(std::to_string(url.db));
    handshake += encode(select);
    ++expected;
  }
  if (expected > 0) {
    co_await conn->send(handshake, deadline);
    for (int i = 0; i < expected; ++i) {
      Reply reply = co_await conn->read_reply(deadline);
      // A wrong password or database is a configuration problem, but from the callers' side it is
      // the same as an outage: this server cannot be used.
      if (reply.type == Reply::Type::kError) {
        throw RedisUnavailable("redis at " + where + " refused the handshake: " + reply.str);
      }
    }
  }
  co_return conn;
}

}  // namespace

Script::Script(std::string lua) : source_(std::move(lua)), sha1_(util::sha1_hex(source_)) {}

struct Client::Impl {
  using Slots = util::ResourcePool<Conn>;

  // A connection borrowed from the pool; returns it (or, if broken, its slot) on destruction.
  class Lease {
   public:
    Lease(Impl* impl, std::unique_ptr<Conn> conn) : impl_(impl), conn_(std::move(conn)) {}
    Lease(Lease&& o) noexcept : impl_(o.impl_), conn_(std::move(o.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() { release(); }
    Conn* operator->() const { return conn_.get(); }
    void release() {
      if (conn_) impl_->put_back(std::move(conn_));
    }

   private:
    Impl* impl_;
    std::unique_ptr<Conn> conn_;
  };

  Impl(asio::any_io_executor ex, const ClientOptions& opts)
      : executor(std::move(ex)),
        options(opts),
        url(parse_redis_url(opts.url)),
        where(url.host + ":" + std::to_string(url.port)),
        slots(opts.pool_size, opts.max_waiters) {}

  asio::awaitable<Reply> execute(const std::string& wire);
  bool admit();
  void end_probe();
  asio::awaitable<Lease> acquire(bool probe, Clock::time_point deadline);
  void put_back(std::unique_ptr<Conn> conn);
  void trip(const std::string& why);
  void succeeded();

  asio::any_io_executor executor;
  const ClientOptions options;
  const RedisUrl url;
  const std::string where;  // host:port for messages (never the password)
  Slots slots;

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
  // Idle connections to a server that just failed are suspect (a partition shows no EOF); the
  // probe will open a fresh one, bounded by the connect timeout.
  slots.drop_idle();
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

void Client::Impl::put_back(std::unique_ptr<Conn> conn) {
  if (conn->broken()) {
    conn.reset();
    slots.free_slot();
    return;
  }
  slots.put_back(std::move(conn));
}

asio::awaitable<Client::Impl::Lease> Client::Impl::acquire(bool probe, Clock::time_point deadline) {
  Slots::Grant grant;
  std::string busy;
  try {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    grant = co_await slots.acquire(std::max(left, std::chrono::milliseconds(0)),
                                   [](Conn& c) { return c.looks_alive(); });
  } catch (const util::PoolExhausted& e) {
    // Not an outage (Redis answers; we are saturated), so the circuit stays as it is.
    busy = e.reason == util::PoolExhausted::Reason::kQueueFull
               ? "redis client busy: connection wait queue is full"
               : "redis client busy: no connection within " +
                     std::to_string(options.command_timeout.count()) + " ms";
  }
  if (!busy.empty()) throw RedisUnavailable(busy);
  if (grant.resource) co_return Lease(this, std::move(grant.resource));

  // This coroutine owns a slot. While the circuit is open only the probe may connect.
  bool fail_fast = false;
  {
    std::lock_guard lock(mutex);
    fail_fast = circuit_open && !probe;
  }
  if (fail_fast) {
    slots.free_slot();
    throw RedisUnavailable("redis at " + where + " is unavailable (failing fast)");
  }
  std::unique_ptr<Conn> conn;
  std::exception_ptr failure;
  std::string why;
  try {
    conn = co_await Conn::open(executor, url, options.connect_timeout);
  } catch (const RedisUnavailable& e) {
    failure = std::current_exception();
    why = e.what();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    slots.free_slot();
    if (!why.empty()) trip(why);
    std::rethrow_exception(failure);
  }
  co_return Lease(this, std::move(conn));
}

asio::awaitable<Reply> Client::Impl::execute(const std::string& wire) {
  const bool probe = admit();
  // A probe that ends without a verdict (say, a busy pool) must not block every later probe.
  struct ProbeGuard {
    Impl* impl;
    bool active;
    ~ProbeGuard() {
      if (active) impl->end_probe();
    }
  } guard{this, probe};

  // One deadline for the whole command: the wait for a connection and the round trip.
  const auto deadline = Clock::now() + options.command_timeout;
  Lease lease = co_await acquire(probe, deadline);
  Reply reply;
  std::exception_ptr failure;
  std::string why;
  try {
    reply = co_await lease->roundtrip(wire, deadline);
  } catch (const RedisUnavailable& e) {
    failure = std::current_exception();
    why = e.what();
  }
  lease.release();  // back to the pool (or its slot freed, if broken) before anything else
  if (failure) {
    trip(why);
    std::rethrow_exception(failure);
  }
  succeeded();
  co_return reply;
}

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : options_(std::move(options)) {
  if (options_.pool_size < 1) throw std::invalid_argument("redis pool_size must be at least 1");
  if (options_.max_waiters < 0) throw std::invalid_argument("redis max_waiters must be >= 0");
  if (options_.connect_timeout.count() <= 0 || options_.command_timeout.count() <= 0 ||
      options_.retry_interval.count() < 0) {
    throw std::invalid_argument("redis timeouts must be positive");
  }
  impl_ = std::make_unique<Impl>(std::move(executor), options_);
}

Client::~Client() = default;

bool Client::available() const {
  return impl_->available.load(std::memory_order_acquire);
}

asio::awaitable<Reply> Client::command(std::vector<std::string> args) {
  const std::string wire = encode(args);
  Reply reply = co_await impl_->execute(wire);
  if (reply.type == Reply::Type::kError) throw RedisError(reply.str);
  co_return reply;
}

asio::awaitable<Reply> Client::eval(const Script& script, std::vector<std::string> keys,
                                    std::vector<std::string> args) {
  std::vector<std::string> evalsha;
  evalsha.reserve(3 + keys.size() + args.size());
  evalsha.push_back("EVALSHA");
  evalsha.push_back(script.sha1());
  evalsha.push_back(std::to_string(keys.size()));
  for (auto& k : keys) evalsha.push_back(std::move(k));
  for (auto& a : args) evalsha.push_back(std::move(a));

  bool missing = false;
  try {
    co_return co_await command(evalsha);
  } catch (const RedisError& e) {
    // The server lost its script cache (restart, SCRIPT FLUSH, failover to a replica).
    if (!std::string_view(e.what()).starts_with("NOSCRIPT")) throw;
    missing = true;
  }
  if (missing) {
    std::vector<std::string> load;
    load.push_back("SCRIPT");
    load.push_back("LOAD");
    load.push_back(script.source());
    co_await command(std::move(load));
  }
  co_return co_await command(std::move(evalsha));
}

}  // namespace autoblog::redis
