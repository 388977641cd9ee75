#pragma once
// detail::Connection: one multiplexed, auto-pipelined TCP connection to Redis. Internal to
// redis::Client (see client.h for the model); not for other users.
//
// Many commands are in flight on it at once. submit() appends the encoded command to a queue
// (under a mutex, from any thread) and, if no write is pending, posts one flush to the
// connection's executor; every command queued until that flush runs (the rest of the current
// event-loop turn, and anything queued while a write is on the wire) goes out in ONE write. This
// is what ioredis' enableAutoPipelining does with process.nextTick and what Lettuce does with its
// command queue on a Netty channel. Redis answers in order, so replies are matched to commands by
// a FIFO of calls in flight.
//
// hiredis serves only as the reply parser (redisReader): its blocking and async contexts own their
// sockets and event-loop glue, whereas here the socket, the executor and the deadlines are ours,
// and the parser is the part worth reusing (commands are encoded by encode(), see connection.cpp).
// Its reader builds our Reply directly (its object functions, see connection.cpp), not its own
// redisReply tree to be copied: one allocation for an array reply instead of one per element.
//
// Deadlines: one timer per connection, armed for the OLDEST outstanding command's deadline (all
// commands share one timeout, so deadlines follow queue order). Replies come in order, so when
// the oldest command is past its deadline the server has stopped answering: the connection is
// failed, which fails exactly the commands queued or in flight on it (RedisUnavailable) and
// nothing else. A caller cancelled meanwhile (request deadline, client gone, shutdown) gets
// operation_aborted at once; its command stays in the FIFO and its reply, when it comes, is read
// and dropped — never handed to another caller.
//
// Reads are outstanding only while commands are (an idle connection holds no pending operation,
// so an io_context with nothing else to do still returns from run()); an idle connection the
// server closed is recognised by looks_alive() before it is used again.
//
// Thread-safety: submit(), pending(), dead(), looks_alive() and close() may be called from any
// thread (looks_alive() only while the connection is idle and not being closed: the Client checks
// it under its lane lock); everything else runs on the connection's executor, which must run one
// handler at a time: an event loop's io_context run by one thread (app::Runtime's loops: no
// strand there, whose type-erased executor costs an allocation per operation) or a strand.
// Completions are delivered on the caller's executor (a strand or single-threaded executor).
// Lifetime: shared_ptr-owned by the
// Client; pending handlers hold a shared_ptr, so the object lives until the io_context has run
// or destroyed them.
#include <hiredis/read.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redis/client.h"
#include "util/pending_call.h"

namespace autoblog::redis::detail {

using Clock = std::chrono::steady_clock;

// RESP encoding of one command (binary-safe). Throws std::invalid_argument when empty.
std::string encode(const std::vector<std::string>& args);
// The same for EVALSHA sha1 numkeys keys... args..., without building the argument list first.
std::string encode_evalsha(std::string_view sha1, std::span<const std::string_view> keys,
                           std::span<const std::string_view> args);

// Running totals over every connection of one Client (its connections come and go).
struct Totals {
  std::atomic<std::uint64_t> commands{0};  // commands written
  std::atomic<std::uint64_t> writes{0};    // socket writes carrying them
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::any_io_executor executor, const RedisUrl& url, std::string where,
             std::chrono::milliseconds connect_timeout, std::shared_ptr<Totals> totals);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts connecting (TCP or a Unix socket, then AUTH/SELECT in one round trip). Commands
  // submitted meanwhile wait in the queue and go out together once connected. Call once, right
  // after construction.
  void start();

  // Queues one encoded command to complete by `deadline` (`wire` is copied into the queue before
  // the caller is suspended). Completes on the caller's executor with the reply (an error reply is
  // a Reply of type kError), RedisUnavailable (connection failed or deadline passed) or
  // boost::system::system_error(operation_aborted) (caller cancelled).
  boost::asio::awaitable<Reply> submit(std::string_view wire, Clock::time_point deadline);

  // Commands queued or in flight.
  std::size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  bool dead() const { return dead_.load(std::memory_order_acquire); }
  // False when the server closed this idle connection (restart, CLIENT KILL, idle timeout) or it
  // holds bytes nobody asked for. One nonblocking syscall.
  bool looks_alive() const;
  // Fails whatever is queued or in flight ("why") and closes the socket, on the executor.
  void close(std::string why);
  // Synchronous teardown for the Client's destructor: only with no thread running the io_context.
  void close_now();

  // Writes made (each carries every command queued since the previous one); for tests and stats.
  std::uint64_t writes() const { return writes_.load(std::memory_order_relaxed); }

 private:
  struct Call;
  enum class State { kConnecting, kReady, kDead };

  void enqueue(std::shared_ptr<Call> call, std::string_view wire);  // any thread

  // On the executor only:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> open();
  boost::asio::awaitable<std::string> handshake();
  boost::asio::awaitable<void> send_handshake();
  void flush();
  void on_written(const boost::system::error_code& ec);
  void start_read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void arm_deadline();
  void on_deadline(const boost::system::error_code& ec);
  void fail(const std::string& why);

  // Runs one handler at a time (see Thread-safety above).
  const boost::asio::any_io_executor executor_;
  const RedisUrl url_;
  const std::string where_;  // host:port or unix:path, for messages (never the password)
  const std::chrono::milliseconds connect_timeout_;
  const std::shared_ptr<Totals> totals_;  // never null

  // The queue: commands submitted but not yet written, bytes and calls in the same order.
  mutable std::mutex mutex_;
  State state_ = State::kConnecting;           // mutex_
  std::string queued_bytes_;                   // mutex_
  std::vector<std::shared_ptr<Call>> queued_;  // mutex_
  bool flush_pending_ = false;   // mutex_: a flush is posted or a write is on the wire
  bool deadline_armed_ = false;  // mutex_: the deadline timer is (being) armed
  std::atomic<std::size_t> pending_{0};
  std::atomic<bool> dead_{false};
  std::atomic<int> fd_{-1};  // the connected socket, for looks_alive()
  std::atomic<std::uint64_t> writes_{0};

  // On the executor only:
  // TCP or a Unix socket (RedisUrl::socket_path).
  boost::asio::generic::stream_protocol::socket socket_;
  boost::asio::steady_timer deadline_timer_;
  Reply parsed_;  // the reply the reader is building (its top-level object; see connection.cpp)
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
  std::deque<std::shared_ptr<Call>> in_flight_;  // written, reply not read yet, in order
  std::vector<std::shared_ptr<Call>> batch_;     // reused between flushes
  std::string write_buffer_;                     // the bytes on the wire
  std::vector<char> read_buffer_;
  bool reading_ = false;
};

}  // namespace autoblog::redis::detail
