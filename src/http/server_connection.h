#pragma once
// The server's view of one client connection, and the writes that end or stream a response on
// it. Internal to http/server.cpp and http/server_writes.cpp: the deadline fields are read by the
// server's sweeper from any thread (atomics); everything else belongs to the connection's strand.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <utility>

#include "http/message.h"

namespace autoblog::http::detail {

using tcp = boost::asio::ip::tcp;

// Why a request in flight was cut short (see Connection::cut_request).
enum class Cut : int { kNone, kDeadline, kShutdown, kDisconnected };

// A connection as the server sees it. Deadlines are enforced by the server's sweeper (one timer
// for all connections, see Impl::sweep) instead of a timer armed and cancelled around every read
// and write, which profiling showed to cost more than parsing the request.
struct Connection {
  tcp::socket socket;
  std::atomic<bool> idle{true};
  std::atomic<std::int64_t> deadline_ns{0};  // steady_clock; the sweeper acts after it
  // The session coroutine is bound to `cancel`; it is emitted (only ever on the connection's
  // strand) only while a handler runs, so it cancels whatever the handler awaits — a query, a
  // pool wait, a Redis command — which unwinds it and releases what it holds.
  boost::asio::cancellation_signal cancel;
  std::atomic<bool> in_handler{false};
  std::atomic<bool> shed{false};  // chosen to be closed to free its descriptor
  std::atomic<int> cut{0};
  std::uint64_t request_seq = 0;  // strand-only; tells a late disconnect check its request ended
  // When the handler in flight started (steady_clock ns; 0: none). The sweeper arms the
  // disconnect watch only for handlers that outlive one sweep (see watch_disconnect).
  std::atomic<std::int64_t> handler_since_ns{0};
  bool watching = false;  // strand-only: a disconnect watch is pending
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}

  // On the connection's strand only.
  void cut_request(Cut why) {
    if (!in_handler || cut.load() != static_cast<int>(Cut::kNone)) return;
    cut = static_cast<int>(why);
    cancel.emit(boost::asio::cancellation_type::terminal);
  }

  void arm(std::chrono::steady_clock::duration d) {
    deadline_ns = (std::chrono::steady_clock::now() + d).time_since_epoch().count();
  }
  void arm_until(std::chrono::steady_clock::time_point t) {
    deadline_ns = t.time_since_epoch().count();
  }
  bool expired(std::chrono::steady_clock::time_point now) const {
    return deadline_ns.load() <= now.time_since_epoch().count();
  }
};

// Answers an error and closes. The client may still be sending a body we refused: keep reading
// (and discarding) briefly after our half-close, so the kernel does not reset the connection
// before the client has read the response (nginx's "lingering close").
boost::asio::awaitable<void> write_error(Connection& c, std::chrono::seconds body_timeout,
                                         unsigned version, unsigned status, std::string_view code,
                                         std::string_view message);

// After our last response on a connection whose client may still be sending a body we did not
// read: half-close, then read and discard for up to 2 s (and 64 MiB).
boost::asio::awaitable<void> linger(Connection& c);

// Writes a streamed body (object downloads) after its head, one piece at a time, each write
// under the body timeout like a request body's reads. False when the connection must close: a
// failed write, or a source that failed or ended early once the head (with its Content-Length)
// was sent — closing is the only way left to tell the client.
boost::asio::awaitable<bool> write_stream(Connection& c, std::chrono::seconds body_timeout,
                                          BodyStream& body, const Request& req);

}  // namespace autoblog::http::detail
