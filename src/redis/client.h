#pragma once
// A small nonblocking Redis client on Asio, for the shared rate limiter and tenant cache: our own
// TCP sockets and strands, with hiredis used only to parse replies (redisReader; it never touches
// a socket). Every API node shares rate limits and cache through it, so it is built to be cheap
// per command and to make a Redis outage cheap:
//  - auto-pipelining: a few multiplexed connections (at most `pool_size`; callers on one event
//    loop (util::current_loop()) share one, opened on that loop), each with many
//    commands in flight. Commands issued during one event-loop turn leave in one write, replies
//    are matched to callers in order (see redis/connection.h). Callers never wait for a free
//    connection, so the rate-limit decision and the cache lookups of concurrent requests share
//    round trips and syscalls;
//  - connect and command timeouts: a command not answered by its deadline fails its connection,
//    which fails exactly the commands queued or in flight on it; the next call opens a fresh one.
//    A caller cancelled mid-command (request deadline, shutdown) gets operation_aborted at once,
//    its reply is read and dropped when it comes, and the connection stays (not an outage);
//  - a circuit breaker: after a connection failure every call fails fast with RedisUnavailable
//    for `retry_interval`, then one call is let through as a probe; its success closes the
//    circuit. So an outage costs callers no latency, and a dead server sees one attempt per
//    interval instead of one per request.
//
// Thread-safety: Client is thread-safe. Calling coroutines must run on a strand or a
// single-threaded executor (all coroutines here do); they are resumed on their own executor.
// A connection runs its handlers on its loop's executor as given (so each of `loops` must be
// run by one thread), or on a strand of its own with the single-executor constructor.
// Ownership: the Client owns its connections; it must outlive every call in progress and must be
// destroyed before the io_context that `executor` belongs to, with no thread running it. Script
// is an immutable value.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::redis {

struct ClientOptions {
  // redis://[[user]:password@]host[:port][/db], or for a Unix socket
  // unix://[[user]:password@]/path/to/redis.sock[?db=N]
  std::string url;
  // Multiplexed connections at most: event loop i uses connection (i % pool_size), opened on its
  // first command, so with N event loops min(N, pool_size) connections are open.
  int pool_size = 4;
  std::chrono::milliseconds connect_timeout{200};  // TCP connect + AUTH/SELECT
  // The whole command: queueing, connecting if need be, and the round trip.
  std::chrono::milliseconds command_timeout{500};
  std::chrono::milliseconds retry_interval{1000};  // how long the circuit stays open
  // Commands queued or in flight on one connection; beyond it calls fail with RedisUnavailable
  // ("busy") without opening the circuit: a bound on memory when Redis is slow.
  int max_pending = 4096;
};

// What the client has done so far, over the connections open now (for tests and diagnostics).
struct ClientStats {
  int connections = 0;       // open or opening
  std::uint64_t writes = 0;  // socket writes; each carries every command queued before it
  std::size_t pending = 0;   // commands queued or in flight
  // Since the client was made, over every connection it has had (autoblog_redis_*_total).
  std::uint64_t commands_total = 0;  // commands written (a script call is one)
  std::uint64_t writes_total = 0;    // socket writes carrying them
};

// The parts of a redis:// or unix:// URL. User and password are percent-decoded.
struct RedisUrl {
  std::string host;           // redis:// only
  std::uint16_t port = 6379;  // redis:// only
  std::string socket_path;    // unix:// only: an absolute path
  std::string user;      // empty: AUTH with the password only (the "default" user)
  std::string password;  // empty: no AUTH
  int db = 0;
};

// Where the URL points, for messages: host:port or unix:path (never the password).
std::string describe(const RedisUrl& url);

// Throws std::invalid_argument when malformed (the message never contains the password).
// rediss:// (TLS) is not supported and is rejected rather than silently sent in clear text.
RedisUrl parse_redis_url(std::string_view url);

struct Reply {
  enum class Type { kString, kStatus, kInteger, kNil, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  std::int64_t integer = 0;
  std::vector<Reply> elements;  // kArray
};

// Redis could not be reached or did not answer in time (or the circuit is open). Callers degrade.
struct RedisUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Redis answered with an error reply (-ERR, -NOSCRIPT, -WRONGTYPE...): a bug or a bad command,
// not an outage. The message is the reply text.
struct RedisError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A Lua script, identified on the server by the SHA1 of its source (EVALSHA).
class Script {
 public:
  explicit Script(std::string lua);
  const std::string& sha1() const { return sha1_; }  // 40 lowercase hex digits
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::string sha1_;
};

class Client {
 public:
  // `executor`: an io_context executor, which any number of threads may run; each connection
  // runs on a strand of it. Throws std::invalid_argument for a malformed URL or option.
  // Connects lazily: constructing never blocks nor fails on I/O.
  Client(boost::asio::any_io_executor executor, ClientOptions options);
  // One executor per event loop (app::Runtime's loops), each run by exactly one thread: loop i's
  // connection runs on loops[i] itself (no strand), so its replies are read on the thread whose
  // callers wait for them.
  Client(std::vector<boost::asio::any_io_executor> loops, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one command (args[0] is its name) and returns the reply. The command is encoded at
  // once (so `args` may go as soon as this returns); std::invalid_argument for an empty one is
  // thrown here, not when awaited. The awaitable throws RedisUnavailable, or RedisError for an
  // error reply.
  boost::asio::awaitable<Reply> command(const std::vector<std::string>& args);

  // EVALSHA with the script's SHA1, encoded at once from `keys` and `args` (so they may go as
  // soon as this returns); on NOSCRIPT (a restarted or flushed server) the awaitable loads the
  // script (SCRIPT LOAD) and retries once. `script` must outlive the awaitable.
  boost::asio::awaitable<Reply> eval(const Script& script, std::span<const std::string_view> keys,
                                     std::span<const std::string_view> args);

  // False while the circuit is open (Redis considered down); cheap.
  bool available() const;

  ClientStats stats() const;

  const ClientOptions& options() const { return options_; }

 private:
  struct Impl;
  void init(std::vector<boost::asio::any_io_executor> loops, bool one_thread_per_loop);
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autoblog::redis
