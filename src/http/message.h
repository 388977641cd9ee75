#pragma once
// Plain request/response types seen by routing, middleware and handlers.
// They keep Beast out of every header but the server's own, so handlers compile fast.
// Not thread-safe; a Request/Response belongs to the one coroutine serving it.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/prefetched.h"

namespace autoblog::tenancy {
class ActiveTenant;
}

namespace autoblog::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A header whose name is a string literal and whose value is a number (the rate limit's
// X-RateLimit-*): nothing is built until the response is written. As Fields entries, the three
// rate-limit headers cost about ten allocations per request: names too long for std::string's
// small-string buffer, copied again onto every response.
class NumberHeader {
 public:
  NumberHeader() = default;
  template <std::size_t N>
  NumberHeader(const char (&name)[N], std::int64_t value) : name_(name, N - 1), value_(value) {}
  std::string_view name() const { return name_; }
  std::int64_t value() const { return value_; }

 private:
  std::string_view name_;  // a literal's, so it outlives every request
  std::int64_t value_ = 0;
};

// A few NumberHeaders, in place (no allocation).
class NumberHeaders {
 public:
  static constexpr std::size_t kCapacity = 4;
  // Throws std::length_error past kCapacity.
  void add(NumberHeader h);
  void add_all(const NumberHeaders& other) {
    for (const auto& h : other.items()) add(h);
  }
  std::span<const NumberHeader> items() const { return {items_.data(), size_}; }

 private:
  std::array<NumberHeader, kCapacity> items_{};
  std::size_t size_ = 0;
};

// Who a route is for; decides which authentication middleware applies.
enum class Audience { kPublic, kAdmin, kTenant };

struct Request {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // raw request target
  std::string path;    // target without the query string (still percent-encoded)
  Fields query;        // decoded query parameters, in order
  Fields headers;      // names lower-cased
  // Empty until body_reader has run (dispatch_to_route runs it); stays empty on a streaming
  // route, whose handler reads the body with read_body_chunk.
  std::string body;
  // The JSON body as parsed and checked against the route's schema by dispatch_to_route()
  // (json_body() in http/json_body.h reads it); null on routes without a JSON body.
  std::shared_ptr<const boost::json::object> json_body;
  // Set by the server when a body is still on the wire: reads it into `body`. Run by the last
  // link of the chain, after authentication and the rate limit, so a refused request's body is
  // never read (and `Expect: 100-continue` is never answered for it).
  std::function<boost::asio::awaitable<void>(Request&)> body_reader;
  // The streaming alternative, for routes registered with streams_body (uploads): set by the
  // server beside body_reader; dispatch_to_route runs body_reader only for other routes, so a
  // streaming handler pulls the body chunk by chunk with read_body_chunk() and never holds it
  // whole. Fills at most out.size() bytes, returns how many, 0 at the end of the body; throws
  // PayloadTooLarge/BadRequest/Unavailable (the server's body errors) or operation_aborted.
  std::function<boost::asio::awaitable<std::size_t>(std::span<char>)> body_chunk_reader;
  bool streams_body = false;  // set by routing from the route's registration
  std::string request_id;
  std::string remote;
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();

  // Filled by the router.
  // The route template, e.g. "/v1/content/{id}"; "" when no route takes the request (a
  // tenant-API path with credentials still goes through authentication and the rate limit to
  // its 404/405: see http::routing).
  std::string route;
  Audience audience = Audience::kPublic;
  Fields path_params;
  const void* route_handler = nullptr;  // the matched http::Handler; opaque here on purpose
  const void* operation = nullptr;      // the matched http::Operation; opaque here on purpose
  // The route's Operation::prefetch_cache_key (points into the route table, which lives as long
  // as the server); empty when the route declares none.
  std::string_view prefetch_cache_key;

  // Filled by authentication (tenant routes only): the tenant, active when it was resolved.
  // Shared, immutable snapshot made by the tenant registry.
  std::shared_ptr<const tenancy::ActiveTenant> tenant;

  // Filled by the rate limiter when it read prefetch_cache_key in its own round trip (the Redis
  // limiter); the handler's service uses it instead of asking the cache again.
  std::optional<cache::Prefetched> prefetched;

  // Headers every response to this request carries, error responses included (the rate-limit
  // state): the server adds them to whatever response it sends.
  NumberHeaders response_headers;

  std::optional<std::string_view> header(std::string_view lower_name) const;
  // The next piece of the body: from the wire through body_chunk_reader when the server set
  // one, else from `body` (already read, or built by a test). 0 at the end.
  boost::asio::awaitable<std::size_t> read_body_chunk(std::span<char> out);
  // The declared Content-Length; nullopt for a chunked body (or a malformed header, which the
  // server has already refused).
  std::optional<std::uint64_t> content_length() const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  // The path parameter named in the route template; throws if the route has none of that name.
  const std::string& param(std::string_view name) const;

  std::size_t body_offset = 0;  // how much of `body` read_body_chunk has handed out
};

// A response body produced piece by piece after the head has been sent (object downloads), so
// that at most one piece is in memory whatever the body's size. Owned by the Response (shared so
// that a Response stays copyable); used by one connection's coroutine only.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The exact number of bytes the pieces add up to: the Content-Length.
  virtual std::uint64_t size() const = 0;
  // The next piece, valid until the next call; empty at the end. May throw: the head is already
  // on the wire then, so the server closes the connection and the client sees a short body.
  virtual boost::asio::awaitable<std::string_view> next() = 0;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  Fields headers;
  NumberHeaders number_headers;  // written after `headers`
  std::string body;
  // Instead of `body` when set: the body is streamed after the head (see BodyStream). To a HEAD
  // request only its size is sent, as Content-Length; next() is never called.
  std::shared_ptr<BodyStream> body_stream;

  static Response json(unsigned status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static Response no_content() {
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
};

}  // namespace autoblog::http
