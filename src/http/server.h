#pragma once
// HTTP/1.1 server over Boost.Beast with C++20 coroutines. Each connection is a coroutine that
// is never run by two threads at once: on one of the `connection_loops` (single-threaded
// io_contexts, taken in turn), or, without them, on its own strand of the accepting io_context.
// Keep-alive, header/body/idle deadlines, a body limit (413), and graceful shutdown: stop()
// closes the listener and idle connections, lets in-flight requests finish.
// Beast/Asio stay out of this header (they are compiled once in asio_beast_impl.cpp).
// Thread-safety: start() and stop() from one thread; the Server must outlive the io_context run.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/handler.h"

namespace boost::asio {
class io_context;
}

namespace autoblog::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t max_body_bytes = 1 << 20;
  // Routes under this prefix (object uploads) take bodies up to max_upload_bytes instead.
  std::string upload_path_prefix = "/v1/files/";
  std::size_t max_upload_bytes = 25 << 20;
  std::size_t max_header_bytes = 16 * 1024;
  // From a request's first byte (a new connection: from the accept) to the end of its head.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds idle_timeout{75};
  // A request's whole deadline, from its handler's start: past it the handler is cancelled
  // (its query, pool wait or Redis command with it) and the client gets 503.
  std::chrono::milliseconds request_timeout{30000};
  // Open connections at most (also capped by the descriptor limit); beyond it a new connection
  // gets 503 and is closed. Near it, the oldest idle keep-alive connection is closed.
  std::size_t max_connections = 10000;
  // Request bodies held in memory at once, all connections together; beyond it 503.
  std::size_t max_inflight_body_bytes = 256u << 20;
};

class Server {
 public:
  // `ioc` runs the listener and the sweeper. `connection_loops`: io_contexts each run by exactly
  // one thread (app::Runtime's loops), given connections in turn; they must outlive the Server's
  // connections. Empty: connections go to strands of `ioc`, which may have several threads.
  Server(boost::asio::io_context& ioc, ServerOptions options, Handler app,
         std::vector<boost::asio::io_context*> connection_loops = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Throws std::system_error when the address cannot be bound.
  void start();
  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // Stops accepting and closes idle connections; requests in flight finish. Completion is
  // observable through active_connections() reaching zero.
  void stop();
  // Cancels the requests still in flight (after the drain deadline): each answers 503 and its
  // connection closes.
  void cancel_requests();
  // Completes when every connection has closed (true) or at `deadline` (false).
  boost::asio::awaitable<bool> wait_closed(std::chrono::steady_clock::time_point deadline);
  std::size_t active_connections() const;
  std::size_t requests_in_flight() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace autoblog::http
