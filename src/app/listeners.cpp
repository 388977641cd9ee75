#include "app/listeners.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>

namespace autoblog::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string endpoint_text(const std::string& address, std::uint16_t port) {
  bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

// One line an operator can act on; the errno text alone ("Address already in use") does not
// say what to do.
[[noreturn]] void throw_listen_error(const std::string& address, std::uint16_t port,
                                     const boost::system::error_code& ec) {
  std::string why;
  if (ec == asio::error::address_in_use)
    why = "address already in use (another process listens there; choose another port)";
  else if (ec == asio::error::access_denied)
    why = "permission denied (ports below 1024 need privileges)";
  else if (ec.value() == EADDRNOTAVAIL && ec.category() == boost::system::system_category())
    why = "no such address on this machine";
  else
    why = ec.message();
  throw ListenError("cannot listen on " + endpoint_text(address, port) + ": " + why);
}

}  // namespace

void Listeners::check_available(const std::vector<std::string>& addresses, std::uint16_t port) {
  asio::io_context ioc;
  for (const auto& address : addresses) {
    boost::system::error_code ec;
    tcp::endpoint ep(asio::ip::make_address(address, ec), port);
    tcp::acceptor probe(ioc);
    if (!ec) probe.open(ep.protocol(), ec);
    // The same option as the server: a port held only by connections in TIME_WAIT is free.
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(ep, ec);
    if (ec) throw_listen_error(address, port, ec);
  }
}

void Listeners::start(asio::io_context& ioc, http::ServerOptions options,
                      const std::vector<std::string>& addresses, std::uint16_t port,
                      const http::Handler& app,
                      std::vector<asio::io_context*> connection_loops) {
  for (const auto& address : addresses) {
    options.host = address;
    options.port = servers_.empty() ? port : servers_.front()->port();
    auto server = std::make_unique<http::Server>(ioc, options, app, connection_loops);
    try {
      server->start();
    } catch (const boost::system::system_error& e) {
      throw_listen_error(address, options.port, e.code());
    }
    servers_.push_back(std::move(server));
  }
}

std::uint16_t Listeners::port() const {
  return servers_.empty() ? 0 : servers_.front()->port();
}

void Listeners::stop() {
  for (auto& s : servers_) s->stop();
}

void Listeners::cancel_requests() {
  for (auto& s : servers_) s->cancel_requests();
}

std::size_t Listeners::requests_in_flight() const {
  std::size_t n = 0;
  for (const auto& s : servers_) n += s->requests_in_flight();
  return n;
}

asio::awaitable<bool> Listeners::wait_closed(std::chrono::steady_clock::time_point deadline) {
  bool all = true;
  for (auto& s : servers_) all = (co_await s->wait_closed(deadline)) && all;
  co_return all;
}

}  // namespace autoblog::app
