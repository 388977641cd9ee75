#include "http/server.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <charconv>
#include <list>
#include <mutex>

#include "http/error_mapping.h"
#include "observability/log.h"
#include "util/percent.h"

namespace autoblog::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// A connection as the server sees it. Deadlines are enforced by the server's sweeper (one timer
// for all connections, see Impl::sweep) instead of a timer armed and cancelled around every read
// and write, which profiling showed to cost more than parsing the request.
struct Connection {
  tcp::socket socket;
  std::atomic<bool> idle{true};
  std::atomic<std::int64_t> deadline_ns{0};  // steady_clock; the sweeper closes the socket after
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}

  void arm(std::chrono::steady_clock::duration d) {
    deadline_ns = (std::chrono::steady_clock::now() + d).time_since_epoch().count();
  }
  bool expired(std::chrono::steady_clock::time_point now) const {
    return deadline_ns.load() <= now.time_since_epoch().count();
  }
};

std::string next_request_id() {
  // Unique within a process and cheap; the prefix separates processes in shared logs.
  static const std::string prefix = [] {
    auto seed = static_cast<unsigned long long>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08llx", (seed ^ (seed >> 29)) & 0xffffffffULL);
    return std::string(buf);
  }();
  static std::atomic<unsigned long long> counter{0};
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, ++counter, 16);
  (void)ec;  // 24 chars hold any 64-bit value in hex
  std::string id;
  id.reserve(prefix.size() + 1 + static_cast<std::size_t>(end - buf));
  id.append(prefix).push_back('-');
  id.append(buf, end);
  return id;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

// Splits the target into path and query parameters. Query keys and values are percent-decoded
// by util::parse_query ('+' is a space, as browsers send forms); a malformed escape makes the
// request a 400, never a silently ignored or mangled parameter.
bool fill_target(Request& req, std::string_view target) {
  req.target = std::string(target);
  const auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return true;
  auto params = util::parse_query(target.substr(q + 1));
  if (!params) return false;
  req.query = std::move(*params);
  return true;
}

// A response's status line and headers, serialised by hand: Beast's generic serializer
// (buffers_cat_view over the fields) was the largest single cost of a small response.
// The body is sent as a second buffer, never copied.
struct WireResponse {
  std::string head;
  std::string body;
  std::array<asio::const_buffer, 2> buffers() const {
    return {asio::buffer(head), asio::buffer(body)};
  }
};

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", 2);
  // Values come from our own code, but a CR or LF would split the response: drop them.
  bool clean = true;
  for (char c : value) clean &= (c != '\r') & (c != '\n');
  if (clean) {
    out.append(value);
  } else {
    for (char c : value)
      if (c != '\r' && c != '\n') out.push_back(c);
  }
  out.append("\r\n", 2);
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;  // 24 digits hold any size_t
  out.append(buf, end);
}

// `head` is the connection's reusable buffer: cleared, not reallocated, for each response.
WireResponse to_wire(Response&& res, unsigned version, bool keep_alive, std::string head = {}) {
  WireResponse w;
  w.head = std::move(head);
  w.head.clear();
  w.head.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", 9);
  append_number(w.head, res.status);
  w.head.push_back(' ');
  w.head.append(bhttp::obsolete_reason(static_cast<bhttp::status>(res.status)));
  w.head.append("\r\nServer: autoblog\r\n");
  if (!res.content_type.empty()) append_header(w.head, "Content-Type", res.content_type);
  for (const auto& [k, v] : res.headers) append_header(w.head, k, v);
  if (res.status != 204 && res.status != 304 && res.status >= 200) {
    w.head.append("Content-Length: ");
    append_number(w.head, res.body.size());
    w.head.append("\r\n", 2);
  }
  if (!keep_alive) w.head.append("Connection: close\r\n");
  else if (version == 10) w.head.append("Connection: keep-alive\r\n");
  w.head.append("\r\n", 2);
  w.body = std::move(res.body);
  return w;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& ioc;
  ServerOptions options;
  Handler app;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> active{0};
  std::mutex mutex;
  std::list<std::weak_ptr<Connection>> connections;

  Impl(asio::io_context& io, ServerOptions opts, Handler a)
      : ioc(io), options(std::move(opts)), app(std::move(a)), acceptor(io) {}

  // Closes connections whose deadline has passed (header, body, write or idle timeout).
  // Runs every 250 ms, so a deadline is kept to within that.
  asio::awaitable<void> sweep() {
    asio::steady_timer timer(ioc);
    while (!stopping) {
      timer.expires_after(std::chrono::milliseconds(250));
      co_await timer.async_wait(use_tuple);
      auto now = std::chrono::steady_clock::now();
      std::lock_guard lock(mutex);
      connections.remove_if([](auto& w) { return w.expired(); });
      for (auto& weak : connections) {
        auto conn = weak.lock();
        if (!conn || !conn->expired(now)) continue;
        asio::post(conn->socket.get_executor(), [conn] {
          // Re-checked on the connection's strand: it may have moved on to a new deadline.
          if (!conn->expired(std::chrono::steady_clock::now())) return;
          beast::error_code ec;
          conn->socket.close(ec);  // the pending operation ends with an error
        });
      }
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), use_tuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        observability::log_warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(socket));
      {
        std::lock_guard lock(mutex);
        connections.remove_if([](auto& w) { return w.expired(); });
        connections.push_back(conn);
      }
      ++active;
      auto executor = conn->socket.get_executor();
      asio::co_spawn(executor, session(conn), [self = shared_from_this()](std::exception_ptr) {
        --self->active;
      });
    }
  }

  // Answers an error and closes. The client may still be sending a body we refused: keep
  // reading (and discarding) briefly after our half-close, so the kernel does not reset the
  // connection before the client has read the response (nginx's "lingering close").
  asio::awaitable<void> write_error(Connection& c, unsigned version, unsigned status,
                                    std::string_view code, std::string_view message) {
    auto res = to_wire(error_response(status, code, message), version, false);
    c.arm(options.body_timeout);
    auto [ec, n] = co_await asio::async_write(c.socket, res.buffers(), use_tuple);
    if (ec) co_return;
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

  asio::awaitable<void> session(std::shared_ptr<Connection> conn) {
    auto& stream = conn->socket;
    beast::flat_buffer buffer;
    std::string remote;
    {
      beast::error_code ec;
      auto ep = stream.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    bool first = true;
    std::string head_buffer;
    head_buffer.reserve(512);
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      // The larger limit while reading the header; the route's own limit is applied below.
      parser.body_limit(std::max(options.max_body_bytes, options.max_upload_bytes));
      conn->idle = true;
      conn->arm(first ? options.header_timeout : options.idle_timeout);
      first = false;
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
      conn->idle = false;
      if (ec == bhttp::error::header_limit) {
        co_await write_error(*conn, 11, 431, "invalid_request", "request headers too large");
        break;
      }
      if (ec == bhttp::error::body_limit) {
        co_await write_error(*conn, 11, 413, "payload_too_large",
                             "request body exceeds " +
                                 std::to_string(std::max(options.max_body_bytes,
                                                         options.max_upload_bytes)) +
                                 " bytes");
        break;
      }
      if (ec) {
        if (ec != bhttp::error::end_of_stream && ec != asio::error::bad_descriptor &&
            ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
            buffer.size() > 0)
          co_await write_error(*conn, 11, 400, "invalid_request", "malformed HTTP request");
        break;
      }
      auto& header = parser.get();
      const bool upload = header.target().starts_with(options.upload_path_prefix);
      const std::size_t limit = upload ? options.max_upload_bytes : options.max_body_bytes;
      if (auto length = parser.content_length(); length && *length > limit) {
        co_await write_error(*conn, header.version(), 413, "payload_too_large",
                             "request body exceeds " + std::to_string(limit) + " bytes");
        break;
      }
      parser.body_limit(limit);  // for chunked bodies of unknown length
      if (header[bhttp::field::expect] == "100-continue") {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, header.version()};
        conn->arm(options.body_timeout);
        auto [wec, wn] = co_await bhttp::async_write(stream, cont, use_tuple);
        if (wec) break;
      }
      if (!parser.is_done()) {
        conn->arm(options.body_timeout);
        auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
        if (bec == bhttp::error::body_limit) {
          co_await write_error(*conn, header.version(), 413, "payload_too_large",
                               "request body exceeds " + std::to_string(limit) + " bytes");
          break;
        }
        if (bec) {
          if (bec != asio::error::bad_descriptor && bec != asio::error::operation_aborted)
            co_await write_error(*conn, header.version(), 400, "invalid_request",
                                 "malformed HTTP request body");
          break;
        }
      }
      auto msg = parser.release();
      Request req;
      req.method = std::string(msg.method_string());
      bool target_ok = fill_target(req, msg.target());
      req.headers.reserve(16);
      for (const auto& f : msg) {
        std::string name(f.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        req.headers.emplace_back(std::move(name), std::string(f.value()));
      }
      req.body = std::move(msg.body());
      req.remote = remote;
      auto incoming_id = req.header("x-request-id");
      req.request_id = incoming_id && acceptable_request_id(*incoming_id)
                           ? std::string(*incoming_id)
                           : next_request_id();
      bool keep_alive = msg.keep_alive();

      Response res;
      if (target_ok) {
        res = co_await app(req);
      } else {
        res = error_response(400, "invalid_request",
                             "malformed percent-encoding in the query string");
      }
      res.headers.emplace_back("X-Request-Id", req.request_id);
      keep_alive = keep_alive && !stopping;
      auto out = to_wire(std::move(res), msg.version(), keep_alive, std::move(head_buffer));
      conn->arm(options.body_timeout);
      auto [wec, wn] = co_await asio::async_write(stream, out.buffers(), use_tuple);
      head_buffer = std::move(out.head);
      if (wec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.shutdown(tcp::socket::shutdown_send, ignored);
    stream.close(ignored);
  }
};

Server::Server(asio::io_context& ioc, ServerOptions options, Handler app)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(app))) {}

Server::~Server() = default;

void Server::start() {
  auto& a = impl_->acceptor;
  auto address = asio::ip::make_address(impl_->options.host);
  tcp::endpoint ep(address, impl_->options.port);
  a.open(ep.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  asio::co_spawn(impl_->ioc, impl_->sweep(), asio::detached);
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::stop() {
  auto impl = impl_;
  impl->stopping = true;
  asio::post(impl->ioc, [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  std::lock_guard lock(impl->mutex);
  for (auto& weak : impl->connections) {
    auto conn = weak.lock();
    if (!conn) continue;
    // Close idle keep-alive connections on their own strand; busy ones finish their request
    // and then see `stopping`.
    asio::post(conn->socket.get_executor(), [conn] {
      beast::error_code ec;
      if (conn->idle) conn->socket.cancel(ec);
    });
  }
}

std::size_t Server::active_connections() const { return impl_->active.load(); }

}  // namespace autoblog::http
