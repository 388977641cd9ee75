#pragma once
// detail::CurlMulti: one curl multi handle on an Asio strand. Internal to net/HttpClient (see
// http_client.h for the model); not for other users.
//
// perform() runs ONE attempt of a request (no retries, no status interpretation) and completes
// on the caller's executor with an Attempt: curl's result code, the flags our callbacks set and
// the response. Cancellation of the awaiting operation removes the transfer and completes with
// operation_aborted.
// Thread-safety: perform(), shutdown() and in_flight() may be called from any thread; all other
// state is touched only on the strand (curl callbacks run there, inside curl calls made there).
// Lifetime: shared_ptr-owned by HttpClient; asynchronous handlers hold weak_ptrs, so a handler
// that runs after close_now() does nothing.
#include <curl/curl.h>

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>

#include "net/http_client.h"

namespace autoblog::net::detail {

struct Attempt {
  CURLcode code = CURLE_OK;
  std::string error;            // curl's error buffer (or strerror) when code != OK
  bool egress_refused = false;  // the policy refused at least one address
  std::string refused_address;
  bool too_large = false;  // the write callback stopped at max_response_bytes
  HttpResponse response;   // status, headers, body (attempts unset)
};

// Everything one attempt needs, fixed before it starts.
struct AttemptSpec {
  const HttpRequest* request = nullptr;  // borrowed: the awaiting send() keeps it alive
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds timeout{0};  // what is left of the total deadline
  std::function<bool(const boost::asio::ip::address&)> egress;  // never empty
  std::string user_agent;
};

class CurlMulti : public std::enable_shared_from_this<CurlMulti> {
 public:
  using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, Attempt)>;

  CurlMulti(boost::asio::any_io_executor executor, long max_cached_connections);
  ~CurlMulti();

  boost::asio::awaitable<Attempt> perform(AttemptSpec spec) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                       void(std::exception_ptr, Attempt)>(
        [self = shared_from_this()](auto handler, AttemptSpec s) {
          boost::asio::any_io_executor caller =
              boost::asio::get_associated_executor(handler, self->strand_.get_inner_executor());
          self->start(Handler(std::move(handler)), std::move(caller), std::move(s));
        },
        boost::asio::use_awaitable, std::move(spec));
  }

  void shutdown();   // aborts all transfers (operation_aborted), refuses new ones
  void close_now();  // synchronous teardown; only with no thread running the strand
  std::size_t in_flight() const { return in_flight_.load(); }

 public:  // for the curl callbacks in curl_multi.cpp
  struct Transfer;

 private:
  struct Socket;

  void start(Handler handler, boost::asio::any_io_executor caller, AttemptSpec spec);  // any thread
  void add(std::unique_ptr<Transfer> transfer);  // the rest: strand only
  std::unique_ptr<Transfer> detach(std::uint64_t id);
  void cancel(std::uint64_t id);
  void abort_all();
  void complete(std::unique_ptr<Transfer> transfer, std::exception_ptr error);
  void check_done();
  void on_socket(const std::shared_ptr<Socket>& socket, int flags);
  void arm(const std::shared_ptr<Socket>& socket);
  void forget(curl_socket_t fd);

  static int SocketCallback(CURL* easy, curl_socket_t fd, int what, void* self, void*);
  static int TimerCallback(CURLM* multi, long timeout_ms, void* self);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  CURLM* multi_ = nullptr;
  bool closed_ = false;  // strand
  std::atomic<std::uint64_t> next_id_{1};
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;  // strand
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;      // strand
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace autoblog::net::detail
