#pragma once
// TestServer: a small HTTP/1.1 server for tests (Beast on its own io_context thread). It answers
// with whatever the test's responder returns, records every request (with a timestamp), every
// accepted connection and every connection the client closed, and lets tests wait for those
// events instead of sleeping. Thread-safe accessors; destroy it from the test thread.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace autoblog::test_support {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

class TestServer {
 public:
  using Clock = std::chrono::steady_clock;
  struct Request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    Clock::time_point at;
    int connection = 0;
  };
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool chunked = false;  // no Content-Length
    bool hang = false;     // never answer; wait for the client to close
  };
  using Responder = std::function<Reply(const Request&)>;

  explicit TestServer(Responder responder)
      : responder_(std::move(responder)), acceptor_(ioc_, {asio::ip::address_v4::loopback(), 0}) {
    asio::co_spawn(ioc_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TestServer() {
    ioc_.stop();
    thread_.join();
  }

  int port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }

  std::vector<Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  int closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  // Waits (without polling) until pred() holds under the server's lock, or the timeout passes.
  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pred(); });
  }
  bool wait_closed(int n) {
    return wait([&] { return closed_ >= n; });
  }
  bool wait_requests(std::size_t n) {
    return wait([&] { return requests_.size() >= n; });
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      int id = 0;
      {
        std::lock_guard lock(mutex_);
        id = ++connections_;
      }
      changed_.notify_all();
      asio::co_spawn(ioc_, session(std::move(socket), id), asio::detached);
    }
  }

  void note_closed() {
    {
      std::lock_guard lock(mutex_);
      ++closed_;
    }
    changed_.notify_all();
  }

  asio::awaitable<void> session(asio::ip::tcp::socket socket, int id) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> req;
      auto [ec, n] =
          co_await bhttp::async_read(socket, buffer, req, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        note_closed();
        co_return;
      }
      Request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& field : req) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(field.value());
      }
      r.body = req.body();
      r.at = Clock::now();
      r.connection = id;
      const Reply reply = responder_(r);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(r);
      }
      changed_.notify_all();
      if (reply.hang) {
        char byte = 0;
        // Returns only when the client closes (or sends more, which it does not).
        co_await socket.async_read_some(asio::buffer(&byte, 1),
                                        asio::as_tuple(asio::use_awaitable));
        note_closed();
        co_return;
      }
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status),
                                              req.version()};
      for (const auto& [name, value] : reply.headers) res.set(name, value);
      res.body() = reply.body;
      if (reply.chunked) {
        res.chunked(true);
      } else {
        res.prepare_payload();
      }
      if (req.method() == bhttp::verb::head) res.body().clear();  // headers say the size
      res.keep_alive(req.keep_alive());
      auto [wec, written] =
          co_await bhttp::async_write(socket, res, asio::as_tuple(asio::use_awaitable));
      if (wec || !req.keep_alive()) {
        note_closed();
        co_return;
      }
    }
  }

  Responder responder_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Request> requests_;
  int connections_ = 0;
  int closed_ = 0;
};

inline TestServer::Reply Ok(std::string body = "ok") {
  TestServer::Reply r;
  r.body = std::move(body);
  return r;
}

inline TestServer::Reply Status(int status) {
  TestServer::Reply r;
  r.status = status;
  return r;
}

inline TestServer::Reply Hang() {
  TestServer::Reply r;
  r.hang = true;
  return r;
}

}  // namespace autoblog::test_support
