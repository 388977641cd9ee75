#include "http/server.h"

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <list>
#include <mutex>
#include <optional>
#include <span>

#include "http/body_budget.h"
#include "http/error_mapping.h"
#include "http/errors.h"
#include "http/framing.h"
#include "http/server_connection.h"
#include "http/wire.h"
#include "observability/log.h"
#include "util/file.h"

namespace autoblog::http {

using detail::Connection;
using detail::Cut;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// What a streamed upload reserves from the body budget: the largest buffer a storage backend
// holds for it (S3's 5 MiB part; local storage writes 1 MiB at a time).
constexpr std::size_t kStreamReserve = 5u << 20;
// How long a handler runs before the sweeper watches its client for a disconnect.
constexpr std::chrono::milliseconds kWatchAfter{200};

struct Server::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& ioc;
  ServerOptions options;
  Handler app;
  std::vector<asio::io_context*> loops;  // single-threaded; empty: strands of ioc
  std::size_t next_loop = 0;             // accept_loop only
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopping_hard{false};  // requests in flight are being cut
  std::atomic<std::size_t> active{0};
  std::atomic<std::size_t> in_flight{0};
  BodyBudget body_budget{options.max_inflight_body_bytes};
  std::size_t max_connections = 0;  // beyond it: 503 and close (set by start())
  std::size_t shed_at = 0;          // beyond it: the oldest idle connection is closed
  std::mutex mutex;
  std::list<std::weak_ptr<Connection>> connections;

  Impl(asio::io_context& io, ServerOptions opts, Handler a, std::vector<asio::io_context*> l)
      : ioc(io), options(std::move(opts)), app(std::move(a)), loops(std::move(l)), acceptor(io) {}

  // Where the next connection runs: the next loop in turn (its thread is the only one running
  // it, so no strand is needed), or a new strand of the shared io_context.
  asio::any_io_executor next_connection_executor() {
    if (loops.empty()) return asio::make_strand(ioc);
    return loops[next_loop++ % loops.size()]->get_executor();
  }

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
      const auto armed_before = (now - kWatchAfter).time_since_epoch().count();
      for (auto& weak : connections) {
        auto conn = weak.lock();
        if (!conn) continue;
        auto since = conn->handler_since_ns.load();
        if (since != 0 && since <= armed_before && !conn->expired(now)) {
          asio::post(conn->socket.get_executor(), [conn, since] {
            // Still the same request, on the connection's strand.
            if (conn->in_handler && !conn->watching && conn->handler_since_ns.load() == since)
              watch_disconnect(conn);
          });
          continue;
        }
        if (!conn->expired(now)) continue;
        asio::post(conn->socket.get_executor(), [conn] {
          // Re-checked on the connection's strand: it may have moved on to a new deadline.
          if (!conn->expired(std::chrono::steady_clock::now())) return;
          if (conn->in_handler) {
            conn->cut_request(Cut::kDeadline);  // the session answers 503
            return;
          }
          beast::error_code ec;
          conn->socket.close(ec);  // the pending operation ends with an error
        });
      }
    }
  }

  asio::awaitable<void> accept_loop() {
    asio::steady_timer backoff(ioc);
    auto pause = std::chrono::milliseconds(0);
    auto last_log = std::chrono::steady_clock::time_point{};
    std::uint64_t suppressed = 0;
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(next_connection_executor(), use_tuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors (EMFILE, ENFILE) or kernel memory: retrying at once spins a core
        // and floods the log. Free descriptors held by idle keep-alive clients, wait a little
        // longer each time, and log at most every 10 s.
        auto now = std::chrono::steady_clock::now();
        if (now - last_log >= std::chrono::seconds(10)) {
          observability::log_warn("accept failed; backing off",
                                  {{"error", ec.message()},
                                   {"connections", static_cast<std::int64_t>(active.load())},
                                   {"suppressed", static_cast<std::int64_t>(suppressed)}});
          last_log = now;
          suppressed = 0;
        } else {
          ++suppressed;
        }
        shed_idle(8);
        pause = std::min(std::max(pause * 2, std::chrono::milliseconds(10)),
                         std::chrono::milliseconds(500));
        backoff.expires_after(pause);
        auto [tec] = co_await backoff.async_wait(use_tuple);
        if (tec || stopping) co_return;
        continue;
      }
      pause = std::chrono::milliseconds(0);
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(socket));
      {
        std::lock_guard lock(mutex);
        connections.remove_if([](auto& w) { return w.expired(); });
        connections.push_back(conn);
      }
      auto now_active = ++active;
      // Near the limit, the oldest idle keep-alive connection makes room for the new one.
      if (now_active > shed_at) shed_idle(1);
      auto executor = conn->socket.get_executor();
      bool refuse = now_active > max_connections;
      // The session is bound to the connection's cancellation signal, which is emitted only
      // while a handler runs (Connection::cut_request): it cancels what the handler awaits.
      asio::co_spawn(executor, refuse ? refuse_session(conn) : session(conn),
                     asio::bind_cancellation_slot(
                         conn->cancel.slot(),
                         [self = shared_from_this()](std::exception_ptr) { --self->active; }));
    }
  }

  // Closes up to `n` idle keep-alive connections, oldest first.
  void shed_idle(int n) {
    std::lock_guard lock(mutex);
    for (auto& weak : connections) {
      if (n == 0) break;
      auto conn = weak.lock();
      if (!conn || !conn->idle || conn->shed) continue;
      conn->shed = true;
      --n;
      asio::post(conn->socket.get_executor(), [conn] {
        beast::error_code ec;
        if (conn->idle) conn->socket.close(ec);
      });
    }
  }

  // Over the connection cap with nobody idle to shed: say so instead of holding the socket.
  asio::awaitable<void> refuse_session(std::shared_ptr<Connection> conn) {
    conn->idle = false;
    co_await detail::write_error(*conn, options.body_timeout, 11, 503, "unavailable",
                                 "too many connections; retry later");
    beast::error_code ignored;
    conn->socket.close(ignored);
  }

  // The body reader's error, as the error the handler (and the client) sees.
  static void throw_body_error(const beast::error_code& ec, std::size_t limit) {
    if (!ec) return;
    if (ec == asio::error::operation_aborted)
      throw boost::system::system_error(ec);  // cancelled: deadline, shutdown, client gone
    if (ec == bhttp::error::body_limit)
      throw PayloadTooLarge("request body exceeds " + std::to_string(limit) + " bytes");
    throw BadRequest("malformed HTTP request body");
  }

  // Runs the application for one request under the request deadline, cancellable by the
  // sweeper (deadline), stop() (shutdown) and the client going away (see watch_disconnect).
  asio::awaitable<Response> run_handler(const std::shared_ptr<Connection>& conn, Request& req) {
    ++conn->request_seq;
    if (stopping_hard) {  // requests in flight are being cancelled: do not start another
      conn->cut = static_cast<int>(Cut::kShutdown);
      co_return Response{};
    }
    conn->cut = static_cast<int>(Cut::kNone);
    conn->in_handler = true;
    ++in_flight;
    conn->arm(options.request_timeout);
    conn->handler_since_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    Response res;
    try {
      // Awaited in the session's own coroutine, not spawned as a child (a spawn cost a frame,
      // a post and a dispatch per request): a cut reaches it through the session's
      // cancellation slot, which is reset below so that the response can still be written.
      res = co_await app(req);
    } catch (const std::exception& e) {
      // The chain maps every error itself; this is a last resort.
      observability::log_error("request handler escaped the error mapping",
                               {{"request_id", req.request_id}, {"error", e.what()}});
      res = error_response(500, "internal", "internal server error");
    }
    conn->in_handler = false;
    conn->handler_since_ns = 0;
    auto cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none)
      co_await asio::this_coro::reset_cancellation_state();
    --in_flight;
    if (conn->watching) {
      beast::error_code ignored;
      conn->socket.cancel(ignored);  // ends the disconnect watch
      conn->watching = false;
    }
    co_return res;
  }

  // While a handler runs nobody reads the socket; a readable socket with nothing to read is a
  // client that closed the connection: its request is cancelled (its query too) instead of
  // running to the end for nobody. Bytes to read are a pipelined next request, left for later.
  // Armed by the sweeper, on the connection's strand, only for a handler still running after
  // kWatchAfter: a wait started and cancelled around every request cost a reactor registration,
  // a cancellation and a cross-thread wake-up each, for requests that end in a millisecond. A
  // client that left earlier is still seen: its socket is readable when the watch starts.
  static void watch_disconnect(const std::shared_ptr<Connection>& conn) {
    auto seq = conn->request_seq;
    conn->watching = true;
    conn->socket.async_wait(tcp::socket::wait_read, [conn, seq](const beast::error_code& ec) {
      if (conn->request_seq == seq) conn->watching = false;
      if (ec || !conn->in_handler || conn->request_seq != seq) return;
      char c;
      auto n = ::recv(conn->socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        conn->cut_request(Cut::kDisconnected);
    });
  }

  // Cancels every request still in flight (they answer 503); at shutdown, after the drain.
  void cut_all_requests() {
    stopping_hard = true;
    std::lock_guard lock(mutex);
    for (auto& weak : connections) {
      auto conn = weak.lock();
      if (!conn) continue;
      asio::post(conn->socket.get_executor(), [conn] { conn->cut_request(Cut::kShutdown); });
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
      if (first) {
        conn->arm(options.header_timeout);  // from the accept
      } else if (buffer.size() == 0) {
        // Keep-alive: idle until the next request's first byte, then the header deadline runs
        // from there, so a head trickled byte by byte gets header_timeout, not idle_timeout.
        // The bytes read here are the parser's first input (no extra system call).
        conn->arm(options.idle_timeout);
        auto [rec, got] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
        if (rec) break;  // closed while idle, or closed by stop()/the sweeper
        buffer.commit(got);
        conn->arm(options.header_timeout);
      } else {
        conn->arm(options.header_timeout);  // a pipelined request already started
      }
      first = false;
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
      conn->idle = false;
      if (ec == bhttp::error::header_limit) {
        co_await detail::write_error(*conn, options.body_timeout, 11, 431, "invalid_request",
                                     "request headers too large");
        break;
      }
      if (ec == bhttp::error::body_limit) {
        co_await detail::write_error(
            *conn, options.body_timeout, 11, 413, "payload_too_large",
            "request body exceeds " +
                std::to_string(std::max(options.max_body_bytes, options.max_upload_bytes)) +
                " bytes");
        break;
      }
      if (ec) {
        if (ec != bhttp::error::end_of_stream && ec != asio::error::bad_descriptor &&
            ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
            buffer.size() > 0)
          co_await detail::write_error(*conn, options.body_timeout, 11, 400, "invalid_request",
                                       "malformed HTTP request");
        break;
      }
      auto& header = parser.get();
      RequestHead head{header.version(), {}, false, 0};
      for (const auto& f : header) {
        if (f.name() == bhttp::field::transfer_encoding)
          head.transfer_encoding.push_back(f.value());
        else if (f.name() == bhttp::field::host)
          ++head.host_fields;
        else if (f.name() == bhttp::field::content_length)
          head.has_content_length = true;
      }
      if (auto bad = check_framing(head)) {
        co_await detail::write_error(*conn, options.body_timeout, header.version(), bad->status,
                                     "invalid_request", bad->message);
        break;
      }
      const bool upload = header.target().starts_with(options.upload_path_prefix);
      const std::size_t limit = upload ? options.max_upload_bytes : options.max_body_bytes;
      if (auto length = parser.content_length(); length && *length > limit) {
        co_await detail::write_error(*conn, options.body_timeout, header.version(), 413,
                                     "payload_too_large",
                                     "request body exceeds " + std::to_string(limit) + " bytes");
        break;
      }
      parser.body_limit(limit);  // for chunked bodies of unknown length
      const unsigned version = header.version();
      Request req;
      req.method = std::string(header.method_string());
      bool target_ok = fill_target(req, header.target());
      req.headers.reserve(16);
      for (const auto& f : header) {
        std::string name(f.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        req.headers.emplace_back(std::move(name), std::string(f.value()));
      }
      req.remote = remote;
      auto incoming_id = req.header("x-request-id");
      req.request_id = incoming_id && acceptable_request_id(*incoming_id)
                           ? std::string(*incoming_id)
                           : next_request_id();
      bool keep_alive = header.keep_alive();

      // The body is read only when the chain reaches the route (after authentication and the
      // rate limit): a refused client never gets `100 Continue`, and its bytes are never held.
      const bool body_pending = !parser.is_done();
      bool body_read = !body_pending;
      BodyBudget::Lease budget_lease;
      // A streamed body (see below) holds the parser converted to buffer_body.
      std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser;
      std::chrono::steady_clock::time_point body_deadline{};
      if (body_pending) {
        const bool expect_continue = header[bhttp::field::expect] == "100-continue";
        // Sent before the first body byte is read, by whichever reader runs (never both).
        auto answer_continue = [&, expect_continue, version]() -> asio::awaitable<void> {
          if (!expect_continue) co_return;
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
          conn->arm(options.body_timeout);
          auto [wec, wn] = co_await bhttp::async_write(stream, cont, use_tuple);
          if (wec) throw BadRequest("connection failed while answering 100-continue");
        };
        req.body_reader = [&, answer_continue, limit](Request& r) -> asio::awaitable<void> {
          auto want = parser.content_length().value_or(limit);
          budget_lease = body_budget.reserve(static_cast<std::size_t>(want));
          if (!budget_lease) throw Unavailable("too many request bodies in flight; retry later");
          co_await answer_continue();
          conn->arm(options.body_timeout);
          auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
          conn->arm(options.request_timeout);
          throw_body_error(bec, limit);
          r.body = std::move(parser.get().body());
          body_read = true;
        };
        // Uploads may stream instead (routes registered with streams_body; dispatch_to_route
        // picks one reader): the parser, still before its body, becomes a buffer_body parser
        // that parses straight into the handler's buffer, so the server holds only Beast's read
        // buffer. The budget reserves one storage chunk (kStreamReserve; less for a shorter
        // declared body), not the length. The body timeout bounds the whole body's reads, as for
        // a body read whole; between reads the handler's storage writes run under the request
        // timeout, re-armed after each read. `parser` (and `header`, which refers into it) is
        // moved-from once streaming starts: nothing below reads either.
        if (upload) {
          req.body_chunk_reader = [&, answer_continue,
                                   limit](std::span<char> out) -> asio::awaitable<std::size_t> {
            if (!stream_parser) {
              // A body shorter than the chunk holds only its own length.
              const auto want = parser.content_length().value_or(limit);
              budget_lease = body_budget.reserve(
                  static_cast<std::size_t>(std::min<std::uint64_t>(want, kStreamReserve)));
              if (!budget_lease)
                throw Unavailable("too many request bodies in flight; retry later");
              co_await answer_continue();
              stream_parser.emplace(std::move(parser));
              body_deadline = std::chrono::steady_clock::now() + options.body_timeout;
            }
            auto& p = *stream_parser;
            std::size_t got = 0;
            // A read may end in chunk framing with no body byte: read on until one or the end.
            while (got == 0 && !p.is_done() && !out.empty()) {
              auto& b = p.get().body();
              b.data = out.data();
              b.size = out.size();
              b.more = true;
              conn->arm_until(body_deadline);
              auto [bec, bn] = co_await bhttp::async_read_some(stream, buffer, p, use_tuple);
              conn->arm(options.request_timeout);
              if (bec == bhttp::error::need_buffer) bec = {};  // the handler's buffer is full
              throw_body_error(bec, limit);
              got = out.size() - b.size;
            }
            if (p.is_done()) body_read = true;
            co_return got;
          };
        }
      }

      Response res;
      if (target_ok) {
        res = co_await run_handler(conn, req);
        auto cut = static_cast<Cut>(conn->cut.load());
        if (cut == Cut::kDisconnected) break;  // nobody left to answer
        if (cut == Cut::kDeadline) {
          res = error_response(503, "unavailable",
                               "request exceeded its deadline of " +
                                   std::to_string(options.request_timeout.count()) + " ms");
        } else if (cut == Cut::kShutdown) {
          res = error_response(503, "unavailable", "server is shutting down");
          keep_alive = false;
        }
      } else {
        res = error_response(400, "invalid_request",
                             "malformed percent-encoding in the query string");
      }
      res.headers.emplace_back("X-Request-Id", req.request_id);
      // What middleware put on the request for every response to it (the rate-limit state), on
      // this one whoever made it: a handler, an exception, a deadline.
      res.number_headers.add_all(req.response_headers);
      // A body left unread (a refused request) cannot be skipped reliably: close afterwards.
      keep_alive = keep_alive && !stopping && body_read;
      budget_lease = {};
      auto out = to_wire(std::move(res), version, keep_alive, std::move(head_buffer),
                         req.method == "HEAD");
      conn->arm(options.body_timeout);
      std::array<asio::const_buffer, 2> wire{asio::buffer(out.head), asio::buffer(out.body)};
      auto [wec, wn] = co_await asio::async_write(stream, wire, use_tuple);
      head_buffer = std::move(out.head);
      if (!wec && out.stream &&
          !co_await detail::write_stream(*conn, options.body_timeout, *out.stream, req))
        break;
      if (!wec && !body_read) co_await detail::linger(*conn);
      if (wec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.shutdown(tcp::socket::shutdown_send, ignored);
    stream.close(ignored);
  }
};

Server::Server(asio::io_context& ioc, ServerOptions options, Handler app,
               std::vector<asio::io_context*> connection_loops)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(app),
                                   std::move(connection_loops))) {}

Server::~Server() = default;

void Server::start() {
  // Every connection costs a descriptor: take the hard limit, and keep clear of it.
  std::size_t fd_limit = util::raise_open_file_limit();
  const std::size_t reserve = 64;  // database, Redis, storage, logs, the listener
  std::size_t usable = fd_limit > 2 * reserve ? fd_limit - reserve : fd_limit / 2;
  impl_->max_connections = std::min(impl_->options.max_connections, usable);
  impl_->shed_at = impl_->max_connections - impl_->max_connections / 10;
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

std::uint16_t Server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

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

std::size_t Server::active_connections() const {
  return impl_->active.load();
}

std::size_t Server::requests_in_flight() const {
  return impl_->in_flight.load();
}

void Server::cancel_requests() {
  impl_->cut_all_requests();
}

asio::awaitable<bool> Server::wait_closed(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (impl_->active.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

}  // namespace autoblog::http
