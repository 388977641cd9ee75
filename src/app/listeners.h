#pragma once
// The HTTP servers of one listen setting: one http::Server per address the host resolved to
// (config.h; `localhost` is 127.0.0.1 and, where IPv6 is configured, ::1), all on one port and
// one handler, stopped and drained together. Connection and body limits apply per address.
//
// check_available() binds each address once and lets go, before the process starts anything
// else, so that a port in use is one line on stderr (ListenError) instead of a failure after the
// database has started. start() reports a bind that fails later (a race) the same way.
// Thread-safety: as http::Server (start/stop from the composition root; the rest thread-safe).
// Ownership: owns its servers; the io_context and whatever the handler refers to outlive it.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/server.h"

namespace autoblog::app {

// "cannot listen on 127.0.0.1:8080: address already in use"; the CLI exits with code 1.
struct ListenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Listeners {
 public:
  // Throws ListenError naming the first address that cannot be bound.
  static void check_available(const std::vector<std::string>& addresses, std::uint16_t port);

  // Binds every address (options.host/port are replaced) and starts accepting. With port 0 the
  // first address picks a free port and the others use the same one. Throws ListenError.
  // `ioc` accepts; connections run on `connection_loops` (see http::Server).
  void start(boost::asio::io_context& ioc, http::ServerOptions options,
             const std::vector<std::string>& addresses, std::uint16_t port,
             const http::Handler& app, std::vector<boost::asio::io_context*> connection_loops = {});

  std::uint16_t port() const;  // the bound port (after start)
  void stop();
  void cancel_requests();
  std::size_t requests_in_flight() const;
  // True when every server's connections closed before `deadline`.
  boost::asio::awaitable<bool> wait_closed(std::chrono::steady_clock::time_point deadline);

 private:
  std::vector<std::unique_ptr<http::Server>> servers_;
};

}  // namespace autoblog::app
