#include "redis/connection.h"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <charconv>

namespace autoblog::redis::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Endpoint = asio::generic::stream_protocol::endpoint;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// hiredis' reader calls these to build each reply object (its object-function table): they build
// our Reply in place, so a reply costs no redisReply tree and no copy. The top-level object is
// the connection's `parsed_` (the reader's privdata); an array's elements live in its vector, so
// an element's object is its slot there. hiredis frees only the top-level object (freeObject on
// an error or when the reader is freed), which resets `parsed_` and owns nothing else.
Reply* place(const redisReadTask* task, Reply::Type type) {
  Reply* r;
  if (task->parent) {
    r = &static_cast<Reply*>(task->parent->obj)->elements[static_cast<std::size_t>(task->idx)];
  } else {
    r = static_cast<Reply*>(task->privdata);
    *r = Reply{};
  }
  r->type = type;
  return r;
}

void* create_string(const redisReadTask* task, char* str, std::size_t len) {
  const auto type = task->type == REDIS_REPLY_ERROR    ? Reply::Type::kError
                    : task->type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                       : Reply::Type::kString;
  Reply* r = place(task, type);
  r->str.assign(str, len);
  return r;
}

void* create_array(const redisReadTask* task, int elements) {
  Reply* r = place(task, Reply::Type::kArray);
  r->elements.resize(static_cast<std::size_t>(elements));
  return r;
}

void* create_integer(const redisReadTask* task, long long value) {
  Reply* r = place(task, Reply::Type::kInteger);
  r->integer = value;
  return r;
}

void* create_nil(const redisReadTask* task) {
  return place(task, Reply::Type::kNil);
}

void free_object(void* top) {
  *static_cast<Reply*>(top) = Reply{};
}

redisReplyObjectFunctions reply_functions{create_string, create_array, create_integer, create_nil,
                                          free_object};

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
  // Resolver and timer live on the calling coroutine's executor (the connection's), so the
  // completion handler and this coroutine never touch the state at the same time.
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

}  // namespace

// RESP's request format is an array of bulk strings ("*N\r\n" then "$len\r\n<bytes>\r\n" per
// argument). It is written here in one allocation rather than with redisFormatCommandArgv, which
// builds two argument arrays and an sds string per command: on the hot path (two commands per
// request) that was the larger part of the client's own CPU time. Replies are still parsed by
// hiredis' redisReader.
namespace {
void append_header(std::string& out, char kind, std::size_t n) {
  char digits[24];
  out.push_back(kind);
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
  out.append("\r\n", 2);
}

void append_bulk(std::string& out, std::string_view arg) {
  append_header(out, '$', arg.size());
  out.append(arg);
  out.append("\r\n", 2);
}

template <class Strings>
std::size_t encoded_size(const Strings& args) {
  std::size_t size = 0;
  for (const auto& a : args) size += a.size() + 16;
  return size;
}
}  // namespace

std::string encode(const std::vector<std::string>& args) {
  if (args.empty()) throw std::invalid_argument("empty redis command");
  std::string out;
  out.reserve(16 + encoded_size(args));
  append_header(out, '*', args.size());
  for (const auto& a : args) append_bulk(out, a);
  return out;
}

std::string encode_evalsha(std::string_view sha1, std::span<const std::string_view> keys,
                           std::span<const std::string_view> args) {
  std::string out;
  out.reserve(96 + sha1.size() + encoded_size(keys) + encoded_size(args));
  append_header(out, '*', 3 + keys.size() + args.size());
  append_bulk(out, "EVALSHA");
  append_bulk(out, sha1);
  char digits[24];
  append_bulk(out, std::string_view(
                       digits, std::to_chars(digits, digits + sizeof digits, keys.size()).ptr));
  for (const auto& k : keys) append_bulk(out, k);
  for (const auto& a : args) append_bulk(out, a);
  return out;
}

struct Connection::Call : util::PendingCall<Reply> {
  Call(Handler h, asio::any_io_executor ex, Clock::time_point d)
      : PendingCall(std::move(h), std::move(ex)), deadline(d) {}
  const Clock::time_point deadline;
};

Connection::Connection(asio::any_io_executor executor, const RedisUrl& url, std::string where,
                       std::chrono::milliseconds connect_timeout, std::shared_ptr<Totals> totals)
    : executor_(std::move(executor)),
      url_(url),
      where_(std::move(where)),
      connect_timeout_(connect_timeout),
      totals_(std::move(totals)),
      socket_(executor_),
      deadline_timer_(executor_),
      reader_(redisReaderCreateWithFunctions(&reply_functions), &redisReaderFree),
      read_buffer_(16 * 1024) {
  if (!reader_) throw std::bad_alloc();
  reader_->privdata = &parsed_;
}

Connection::~Connection() = default;

void Connection::start() {
  asio::co_spawn(
      executor_, [self = shared_from_this()] { return self->run(); }, asio::detached);
}

asio::awaitable<Reply> Connection::submit(std::string_view wire, Clock::time_point deadline) {
  // The initiation runs before the caller is suspended, while `wire` is still the caller's.
  return util::PendingCall<Reply>::wait<Call>(
      executor_,
      [deadline](util::PendingCall<Reply>::Handler h, asio::any_io_executor caller) {
        return std::make_shared<Call>(std::move(h), std::move(caller), deadline);
      },
      [this, wire](std::shared_ptr<Call> call) { enqueue(std::move(call), wire); });
}

void Connection::enqueue(std::shared_ptr<Call> call, std::string_view wire) {
  bool post_flush = false, post_arm = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kDead) {
      Call::settle(
          call,
          std::make_exception_ptr(RedisUnavailable("redis connection to " + where_ + " is closed")),
          Reply{});
      return;
    }
    queued_bytes_ += wire;
    queued_.push_back(call);
    pending_.fetch_add(1, std::memory_order_relaxed);
    if (state_ == State::kReady && !flush_pending_) post_flush = flush_pending_ = true;
    if (!deadline_armed_) post_arm = deadline_armed_ = true;
  }
  if (post_flush || post_arm) {
    asio::post(executor_, [self = shared_from_this(), post_flush, post_arm] {
      if (post_arm) self->arm_deadline();
      if (post_flush) self->flush();
    });
  }
}

asio::awaitable<void> Connection::run() {
  std::string failure;
  try {
    co_await open();
  } catch (const RedisUnavailable& e) {
    failure = e.what();
  } catch (const std::exception& e) {
    failure = std::string("redis connection failed: ") + e.what();
  }
  if (!failure.empty()) {
    fail(failure);
    co_return;
  }
  bool flush_now = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kDead) co_return;  // closed while connecting
    state_ = State::kReady;
    if (!queued_.empty() && !flush_pending_) flush_now = flush_pending_ = true;
  }
  fd_.store(socket_.native_handle(), std::memory_order_release);
  if (flush_now) flush();
}

asio::awaitable<void> Connection::open() {
  using namespace asio::experimental::awaitable_operators;
  const auto deadline = Clock::now() + connect_timeout_;
  std::vector<Endpoint> endpoints;
  if (url_.socket_path.empty()) {
    auto resolved = co_await resolve(url_.host, url_.port, deadline);
    for (const auto& e : resolved) endpoints.emplace_back(e);
  } else {
    endpoints.emplace_back(asio::local::stream_protocol::endpoint(url_.socket_path));
  }
  boost::system::error_code last_error;
  bool connected = false;
  for (const auto& endpoint : endpoints) {
    asio::steady_timer timer(executor_, deadline);
    auto result =
        co_await (socket_.async_connect(endpoint, use_tuple) || timer.async_wait(use_tuple));
    if (result.index() == 1) throw RedisUnavailable("timed out connecting to redis at " + where_);
    auto [ec] = std::get<0>(result);
    if (!ec) {
      connected = true;
      break;
    }
    last_error = ec;
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  if (!connected) {
    throw RedisUnavailable("cannot connect to redis at " + where_ + ": " + last_error.message());
  }
  boost::system::error_code ignored;
  if (url_.socket_path.empty()) socket_.set_option(tcp::no_delay(true), ignored);
  asio::steady_timer timer(executor_, deadline);
  auto result = co_await (handshake() || timer.async_wait(use_tuple));
  if (result.index() == 1) throw RedisUnavailable("timed out connecting to redis at " + where_);
  if (auto refused = std::get<0>(result); !refused.empty()) throw RedisUnavailable(refused);
}

// Returns what went wrong, or "" once ready: awaitable operator || waits for the first operation
// to complete *successfully*, so a failed handshake must not throw or it would wait for the timer.
asio::awaitable<std::string> Connection::handshake() {
  try {
    co_await send_handshake();
  } catch (const std::exception& e) {
    co_return e.what();
  }
  co_return std::string();
}

// AUTH and SELECT go out together: one round trip for the handshake.
asio::awaitable<void> Connection::send_handshake() {
  std::string wire;
  int expected = 0;
  if (!url_.password.empty()) {
    std::vector<std::string> auth;
    auth.push_back("AUTH");
    if (!url_.user.empty()) auth.push_back(url_.user);
    auth.push_back(url_.password);
    wire += encode(auth);
    ++expected;
  }
  if (url_.db != 0) {
    std::vector<std::string> select;
    select.push_back("SELECT");
    select.push_back(std::to_string(url_.db));
    wire += encode(select);
    ++expected;
  }
  if (expected == 0) co_return;
  auto [wec, written] = co_await asio::async_write(socket_, asio::buffer(wire), use_tuple);
  if (wec) throw RedisUnavailable("sending to redis at " + where_ + " failed: " + wec.message());
  while (expected > 0) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
      throw RedisUnavailable(std::string("redis protocol error: ") + reader_->errstr);
    }
    if (raw) {
      // A wrong password or database is a configuration problem, but from the callers' side it
      // is the same as an outage: this server cannot be used.
      if (parsed_.type == Reply::Type::kError) {
        throw RedisUnavailable("redis at " + where_ + " refused the handshake: " + parsed_.str);
      }
      --expected;
      continue;
    }
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(read_buffer_), use_tuple);
    if (ec) throw RedisUnavailable("reading from redis at " + where_ + " failed: " + ec.message());
    if (redisReaderFeed(reader_.get(), read_buffer_.data(), n) != REDIS_OK) {
      throw RedisUnavailable(std::string("redis protocol error: ") + reader_->errstr);
    }
  }
}

// Takes everything queued since the last write and writes it at once; while that write is on
// the wire, new commands queue up for the next one.
void Connection::flush() {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kReady) return;
    if (queued_.empty()) {
      flush_pending_ = false;
      return;
    }
    write_buffer_.swap(queued_bytes_);
    queued_bytes_.clear();
    batch_.swap(queued_);
  }
  totals_->commands.fetch_add(batch_.size(), std::memory_order_relaxed);
  totals_->writes.fetch_add(1, std::memory_order_relaxed);
  for (auto& call : batch_) in_flight_.push_back(std::move(call));
  batch_.clear();
  writes_.fetch_add(1, std::memory_order_relaxed);
  if (!reading_) start_read();
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->on_written(ec);
                    });
}

void Connection::on_written(const boost::system::error_code& ec) {
  if (dead()) return;
  if (ec) {
    fail("sending to redis at " + where_ + " failed: " + ec.message());
    return;
  }
  write_buffer_.clear();
  flush();
}

void Connection::start_read() {
  reading_ = true;
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (dead()) return;
  if (ec) {
    fail(ec == asio::error::eof ? "redis at " + where_ + " closed the connection"
                                : "reading from redis at " + where_ + " failed: " + ec.message());
    return;
  }
  if (redisReaderFeed(reader_.get(), read_buffer_.data(), n) != REDIS_OK) {
    fail(std::string("redis protocol error: ") + reader_->errstr);
    return;
  }
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
      fail(std::string("redis protocol error: ") + reader_->errstr);
      return;
    }
    if (!raw) break;  // `raw` is &parsed_, now complete
    if (in_flight_.empty()) {
      fail("redis at " + where_ + " sent a reply nobody asked for");
      return;
    }
    std::shared_ptr<Call> call = std::move(in_flight_.front());
    in_flight_.pop_front();
    pending_.fetch_sub(1, std::memory_order_relaxed);
    // An abandoned call's reply is consumed here and dropped: it belongs to no one else.
    if (!call->settled()) Call::settle(call, nullptr, std::move(parsed_));
  }
  if (!in_flight_.empty()) {
    start_read();
    return;
  }
  // Idle (nothing written is unanswered): no read and no deadline stay pending.
  std::lock_guard lock(mutex_);
  if (queued_.empty() && deadline_armed_) {
    deadline_armed_ = false;
    deadline_timer_.cancel();
  }
}

void Connection::arm_deadline() {
  if (dead()) return;
  Clock::time_point oldest;
  {
    std::lock_guard lock(mutex_);
    if (!in_flight_.empty()) {
      oldest = in_flight_.front()->deadline;
    } else if (!queued_.empty()) {
      oldest = queued_.front()->deadline;
    } else {
      deadline_armed_ = false;
      return;
    }
  }
  deadline_timer_.expires_at(oldest);
  deadline_timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_deadline(ec); });
}

void Connection::on_deadline(const boost::system::error_code& ec) {
  if (ec || dead()) return;  // cancelled: the connection went idle or was closed
  Clock::time_point oldest{};
  bool any = false;
  {
    std::lock_guard lock(mutex_);
    if (!deadline_armed_) return;  // went idle after this wait had already completed
    if (!in_flight_.empty()) {
      oldest = in_flight_.front()->deadline;
      any = true;
    } else if (!queued_.empty()) {
      oldest = queued_.front()->deadline;
      any = true;
    }
  }
  if (any && oldest <= Clock::now()) {
    // The oldest command is overdue; replies come in order, so the server has stopped answering
    // (hung, overloaded or unreachable). Its reply can no longer be matched safely to anyone
    // once we give up on it, so the connection goes with it.
    fail(std::string("timed out waiting for redis at ") + where_);
    return;
  }
  arm_deadline();
}

void Connection::fail(const std::string& why) {
  std::vector<std::shared_ptr<Call>> queued;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kDead) return;
    state_ = State::kDead;
    dead_.store(true, std::memory_order_release);
    queued.swap(queued_);
    queued_bytes_.clear();
    deadline_armed_ = false;
  }
  fd_.store(-1, std::memory_order_release);
  boost::system::error_code ignored;
  socket_.close(ignored);
  deadline_timer_.cancel();
  auto error = std::make_exception_ptr(RedisUnavailable(why));
  for (auto& call : in_flight_) Call::settle(call, error, Reply{});
  for (auto& call : queued) Call::settle(call, error, Reply{});
  in_flight_.clear();
  pending_.store(0, std::memory_order_relaxed);
}

void Connection::close(std::string why) {
  asio::post(executor_, [self = shared_from_this(), why = std::move(why)] { self->fail(why); });
}

void Connection::close_now() {
  std::lock_guard lock(mutex_);
  state_ = State::kDead;
  dead_.store(true, std::memory_order_release);
  fd_.store(-1, std::memory_order_release);
  boost::system::error_code ignored;
  socket_.close(ignored);
  deadline_timer_.cancel();
}

bool Connection::looks_alive() const {
  const int fd = fd_.load(std::memory_order_acquire);
  if (fd < 0) return !dead();  // still connecting: usable
  char c;
  auto n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  return false;  // 0: closed by the server; > 0: bytes nobody asked for (out of sync)
}

}  // namespace autoblog::redis::detail
