#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <string>

#include "http/error_mapping.h"
#include "http/server_connection.h"
#include "http/wire.h"
#include "observability/log.h"

namespace autoblog::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> write_error(Connection& c, std::chrono::seconds body_timeout,
                                  unsigned version, unsigned status, std::string_view code,
                                  std::string_view message) {
  auto res = to_wire(error_response(status, code, message), version, false);
  c.arm(body_timeout);
  std::array<asio::const_buffer, 2> wire{asio::buffer(res.head), asio::buffer(res.body)};
  auto [ec, n] = co_await asio::async_write(c.socket, wire, use_tuple);
  if (ec) co_return;
  co_await linger(c);
}

asio::awaitable<void> linger(Connection& c) {
  beast::error_code ignored;
  c.socket.shutdown(tcp::socket::shutdown_send, ignored);
  c.arm(std::chrono::seconds(2));
  std::array<char, 16384> sink;
  std::size_t drained = 0;
  while (drained < (64u << 20)) {
    auto [rec, got] = co_await c.socket.async_read_some(asio::buffer(sink), use_tuple);
    if (rec) break;
    drained += got;
  }
}

asio::awaitable<bool> write_stream(Connection& c, std::chrono::seconds body_timeout,
                                   BodyStream& body, const Request& req) {
  std::uint64_t sent = 0;
  std::string error;
  try {
    for (;;) {
      c.arm(body_timeout);
      const std::string_view piece = co_await body.next();
      if (piece.empty()) break;
      if (piece.size() > body.size() - sent) {
        error = "source produced more than its size";
        break;
      }
      auto [ec, n] = co_await asio::async_write(c.socket, asio::buffer(piece), use_tuple);
      if (ec) co_return false;
      sent += n;
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (error.empty() && sent == body.size()) co_return true;
  observability::log_warn("response body cut short",
                          {{"request_id", req.request_id},
                           {"route", req.route},
                           {"sent", static_cast<std::int64_t>(sent)},
                           {"size", static_cast<std::int64_t>(body.size())},
                           {"error", error.empty() ? std::string("source ended early") : error}});
  co_return false;
}

}  // namespace autoblog::http::detail
