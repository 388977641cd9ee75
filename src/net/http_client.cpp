// HttpClient: attempts, retries and error mapping over detail::CurlMulti; see http_client.h.
#include "net/http_client.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <charconv>
#include <ctime>
#include <random>

#include "net/curl_multi.h"

namespace autoblog::net {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// What an attempt's failure means: the typed error to throw, and whether a retry may help.
struct Failure {
  std::exception_ptr error;
  bool transient = false;  // connection-level: retryable for idempotent requests
};

Failure Classify(const detail::Attempt& a, const HttpRequest& r, Clock::time_point deadline) {
  const std::string what = r.method + " " + r.url + ": ";
  switch (a.code) {
    case CURLE_OPERATION_TIMEDOUT:
      // Each attempt's curl timeout is the rest of the deadline, so an earlier timeout can only
      // be the connect timeout.
      if (Clock::now() + milliseconds(20) >= deadline) {
        return {std::make_exception_ptr(Timeout(what + "deadline exceeded")), false};
      }
      return {std::make_exception_ptr(ConnectFailed(what + a.error)), true};
    case CURLE_COULDNT_CONNECT:
      if (a.egress_refused) {
        const std::string peer = a.refused_address.empty() ? "" : " (" + a.refused_address + ")";
        return {std::make_exception_ptr(
                    EgressRefused(what + "the egress policy refused the peer address" + peer)),
                false};
      }
      [[fallthrough]];
    case CURLE_COULDNT_RESOLVE_HOST:
      return {std::make_exception_ptr(ConnectFailed(what + a.error)), true};
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (a.too_large || a.code == CURLE_FILESIZE_EXCEEDED) {
        return {std::make_exception_ptr(
                    ResponseTooLarge(what + "response larger than " +
                                     std::to_string(r.options.max_response_bytes) + " bytes")),
                false};
      }
      break;
    case CURLE_TOO_MANY_REDIRECTS:
      return {std::make_exception_ptr(TooManyRedirects(
                  what + "more than " + std::to_string(r.options.max_redirects) + " redirects")),
              false};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {std::make_exception_ptr(InvalidRequest(what + a.error)), false};
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return {std::make_exception_ptr(TransferFailed(what + a.error)), true};
    default:
      break;
  }
  return {std::make_exception_ptr(TransferFailed(what + a.error)), false};
}

double UnitRandom() {
  thread_local std::minstd_rand rng(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

bool is_idempotent(std::string_view method) {
  for (const std::string_view m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    if (method == m) return true;
  }
  return false;
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size()) {
      return milliseconds::max();  // absurdly large: longer than any max_retry_after
    }
    if (seconds > 100LL * 365 * 24 * 3600) return milliseconds::max();
    return std::chrono::duration_cast<milliseconds>(std::chrono::seconds(seconds));
  }
  // IMF-fixdate, the only date form senders may generate (RFC 9110 §5.6.7).
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (at <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(at - now);
}

milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double unit_random) {
  const int shift = std::clamp(attempt - 1, 0, 30);
  const double full = std::min<double>(
      static_cast<double>(policy.base_delay.count()) * static_cast<double>(1LL << shift),
      static_cast<double>(policy.max_delay.count()));
  const double jittered = full / 2 + full / 2 * std::clamp(unit_random, 0.0, 1.0);
  return milliseconds(static_cast<milliseconds::rep>(jittered));
}

HttpClient::HttpClient(asio::any_io_executor executor, ClientOptions options)
    : options_(std::move(options)),
      multi_(std::make_shared<detail::CurlMulti>(std::move(executor),
                                                 options_.max_cached_connections)) {}

HttpClient::~HttpClient() {
  multi_->close_now();
}

void HttpClient::shutdown() {
  multi_->shutdown();
}

std::size_t HttpClient::in_flight() const {
  return multi_->in_flight();
}

namespace {

// After an attempt: wait and try again, or finish (rethrow `error`, or return the response).
struct Decision {
  std::optional<milliseconds> retry_in;
  std::exception_ptr error;
};

Decision Decide(detail::Attempt& result, const HttpRequest& request, Clock::time_point deadline,
                int attempt) {
  const RequestOptions& o = request.options;
  const bool may_retry_transient = is_idempotent(request.method) || o.retry.non_idempotent;
  std::optional<milliseconds> retry_after;
  bool retry = false;
  Decision decision;
  if (result.code == CURLE_OK) {
    const long status = result.response.status;
    retry = status == 429 || (status >= 500 && may_retry_transient);
    if (status == 429 || status == 503) {
      const std::string value = result.response.header("retry-after");
      if (!value.empty()) retry_after = parse_retry_after(value, std::chrono::system_clock::now());
    }
  } else {
    const Failure failure = Classify(result, request, deadline);
    decision.error = failure.error;
    retry = failure.transient && may_retry_transient;
  }
  if (retry && attempt < std::max(1, o.retry.max_attempts)) {
    const milliseconds wait =
        retry_after ? *retry_after : backoff_delay(o.retry, attempt, UnitRandom());
    const bool fits = wait <= o.retry.max_retry_after &&
                      wait < std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (fits) {
      decision.retry_in = wait;
      return decision;
    }
  }
  if (decision.error) return decision;
  result.response.attempts = attempt;
  if (o.throw_on_http_error && result.response.status >= 400) {
    const long status = result.response.status;
    decision.error = std::make_exception_ptr(
        HttpError(request.method + " " + request.url + ": HTTP " + std::to_string(status), status,
                  std::move(result.response.body)));
  }
  return decision;
}

detail::AttemptSpec MakeSpec(const HttpRequest& request, Clock::time_point deadline,
                             const ClientOptions& client) {
  detail::AttemptSpec spec;
  spec.request = &request;
  spec.timeout = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  spec.connect_timeout = std::min(request.options.connect_timeout, spec.timeout);
  spec.egress = request.options.egress
                    ? request.options.egress
                    : std::function<bool(const asio::ip::address&)>(client.egress);
  spec.user_agent = client.user_agent;
  return spec;
}

}  // namespace

asio::awaitable<HttpResponse> HttpClient::send(HttpRequest request) {
  const Clock::time_point deadline =
      request.options.deadline ? *request.options.deadline : Clock::now() + request.options.timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int attempt = 1;; ++attempt) {
    if (Clock::now() >= deadline) {
      throw Timeout(request.method + " " + request.url + ": deadline exceeded");
    }
    detail::Attempt result = co_await multi_->perform(MakeSpec(request, deadline, options_));
    const Decision decision = Decide(result, request, deadline, attempt);
    if (!decision.retry_in) {
      if (decision.error) std::rethrow_exception(decision.error);
      co_return std::move(result.response);
    }
    timer.expires_after(*decision.retry_in);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace autoblog::net
