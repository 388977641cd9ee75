#pragma once
// HttpClient: the one outbound HTTP client (S3, and later AI providers, webhooks, publishing
// targets, feeds). libcurl's multi interface driven by the Boost.Asio io_context: curl's sockets
// are watched with posix::stream_descriptor (released, never closed: curl owns the fds) and its
// timeouts with one steady_timer, so no thread ever blocks on the network.
//
// send() per request:
//   - total deadline (options.deadline, or now + options.timeout) covering every attempt and
//     every retry wait; connect timeout per attempt; max response bytes (Content-Length checked
//     up front, the body counted while it arrives); max redirects (0 = a 3xx is returned as is);
//   - retries (options.retry) on the caller's executor with an asio timer: exponential backoff
//     with jitter and a cap, honouring Retry-After (seconds or HTTP date) on 429 and 503. 429
//     is always retryable (the server did not process the request); connection failures and
//     5xx only when the method is idempotent or retry.non_idempotent is set; other 4xx never;
//   - the egress policy sees every resolved peer address before connect() (see
//     egress_policy.h); a refusal fails the request with EgressRefused, never retried;
//   - AWS SigV4 signing by curl (CURLOPT_AWS_SIGV4 + CURLOPT_USERPWD) when options.aws_sigv4
//     is set;
//   - environment proxies (http_proxy, ...) are ignored: the egress policy must see the real peer.
// Failures are the typed errors of net/errors.h; a final status >= 400 throws HttpError unless
// options.throw_on_http_error is false (then every status is returned).
//
// Cancellation: send() honours asio per-operation cancellation of the awaiting coroutine (for
// example `co_await (client.send(r) || timer.async_wait(use_awaitable))`, or a cancelled task
// group): the transfer is removed from the multi handle (its connection closed), and send()
// throws boost::system::system_error(operation_aborted). A retry wait is cancelled the same way.
//
// Threading: curl's multi handle is not thread-safe, so every curl call runs on one strand owned
// by the client; callers may call send() from any thread and any executor, concurrently, and
// resume on their own executor. Connections are kept alive and reused through the multi handle's
// connection cache (up to ClientOptions::max_cached_connections).
//
// Ownership and lifetime: the client borrows the executor's io_context and must outlive every
// send() it started; destroy it before the io_context, with no thread running that io_context's
// handlers concurrently (as app::Backends is: after run() returned). shutdown() (thread-safe)
// aborts every transfer in flight, which complete with operation_aborted, and makes later calls
// fail; the destructor abandons whatever is still in flight (their handlers are destroyed).
// curl_global_init runs once per process, on the first construction, and is never undone.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/egress_policy.h"
#include "net/errors.h"

namespace autoblog::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct RetryPolicy {
  int max_attempts = 1;                       // 1 = no retries
  std::chrono::milliseconds base_delay{100};  // first backoff; doubles per attempt
  std::chrono::milliseconds max_delay{5000};  // cap of the backoff
  // A Retry-After longer than this (or past the deadline) is not waited for: the last response
  // or error is the result.
  std::chrono::milliseconds max_retry_after{30000};
  // Retry connection failures and 5xx for POST/PATCH too (the caller knows the request is safe
  // to repeat, e.g. it carries an idempotency key).
  bool non_idempotent = false;
};

struct AwsSigV4 {
  std::string provider;  // CURLOPT_AWS_SIGV4, e.g. "aws:amz:us-east-1:s3"
  std::string access_key;
  std::string secret_key;
};

struct RequestOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};  // total, used when `deadline` is not set
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::size_t max_response_bytes = 16u << 20;
  int max_redirects = 0;
  RetryPolicy retry;
  // Sees every peer address before connecting; false refuses it. Empty: the client's default.
  std::function<bool(const boost::asio::ip::address&)> egress;
  std::optional<AwsSigV4> aws_sigv4;
  bool throw_on_http_error = true;
  // Send the URL's path byte for byte (no dot-segment removal): signed paths need it.
  bool path_as_is = false;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;  // sent as given; a body without Content-Type gets application/octet-stream
  // Sent when non-empty (and always, maybe empty, for POST/PUT/PATCH); never for HEAD.
  std::string body;
  RequestOptions options;
};

struct HttpResponse {
  long status = 0;
  Headers headers;  // of the final response; names lower-cased, in arrival order
  std::string body;
  int attempts = 0;  // how many attempts send() made

  // First value of a header (name in any case); "" when absent.
  std::string header(std::string_view name) const;
};

struct ClientOptions {
  EgressPolicy egress;  // the default for requests that set no egress hook
  long max_cached_connections = 64;
  std::string user_agent = "autoblog/0.1";
};

namespace detail {
class CurlMulti;
}

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  boost::asio::awaitable<HttpResponse> send(HttpRequest request);

  // Aborts every transfer in flight (they complete with operation_aborted) and refuses new ones.
  // Thread-safe, returns at once; the aborts run on the client's strand.
  void shutdown();

  // Transfers currently inside curl (not counting retry waits). Thread-safe; for tests/metrics.
  std::size_t in_flight() const;

 private:
  ClientOptions options_;
  std::shared_ptr<detail::CurlMulti> multi_;
};

// Whether a method is idempotent in the HTTP sense (RFC 9110 §9.2.2): GET, HEAD, PUT, DELETE,
// OPTIONS, TRACE.
bool is_idempotent(std::string_view method);

// Retry-After as a wait: delta-seconds or an HTTP date (relative to `now`, never negative);
// nullopt when unparseable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// Backoff before attempt `attempt + 1` (attempt >= 1): base * 2^(attempt-1), capped, with
// "equal jitter" (half fixed, half uniform from `unit_random` in [0, 1)).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double unit_random);

}  // namespace autoblog::net
