#include "http/router.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "http/errors.h"
#include "http/operation.h"
#include "http/request_validation.h"
#include "http/schema.h"
#include "util/percent.h"
#include "util/http_method.h"

namespace autoblog::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  out.reserve(8);  // deeper than any route: one allocation
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Where a catch-all parameter starting at segment `i` begins in `path`.
std::size_t rest_offset(std::string_view path, const std::vector<std::string_view>& parts,
                        std::size_t i) {
  return i < parts.size() ? static_cast<std::size_t>(parts[i].data() - path.data()) : path.size();
}

std::string decode(std::string_view encoded) {
  auto decoded = util::percent_decode(encoded);
  if (!decoded) throw BadRequest("malformed percent-encoding in path");
  return std::move(*decoded);
}

}  // namespace

Handler chain(std::vector<Middleware> middleware, Handler last) {
  Handler next = std::move(last);
  for (auto it = middleware.rbegin(); it != middleware.rend(); ++it) {
    next = [mw = std::move(*it), inner = std::move(next)](Request& req) {
      return mw(req, inner);
    };
  }
  return next;
}

void Router::add(Operation op, Handler handler) {
  Entry e;
  auto parts = split_path(op.path);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto p = parts[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      bool rest = p[p.size() - 2] == '+';
      if (rest && i + 1 != parts.size())
        throw std::logic_error("catch-all parameter must be last: " + op.path);
      names.emplace_back(p.substr(1, p.size() - (rest ? 3 : 2)));
      e.segments.push_back({names.back(), rest ? Segment::kRest : Segment::kParam});
    } else {
      e.segments.push_back({std::string(p), Segment::kLiteral});
    }
  }
  // Every path parameter is declared; one the operation left out is a plain string.
  for (const auto& p : op.params)
    if (p.in == ParamSpec::In::kPath &&
        std::find(names.begin(), names.end(), p.name) == names.end())
      throw std::logic_error("parameter '" + p.name + "' is not in the path " + op.path);
  for (const auto& n : names) {
    auto declared = std::find_if(op.params.begin(), op.params.end(), [&](const ParamSpec& p) {
      return p.in == ParamSpec::In::kPath && p.name == n;
    });
    if (declared == op.params.end())
      op.params.push_back({n, ParamSpec::In::kPath, true, schema::string(1), ""});
    else
      declared->required = true;
  }
  // Which path lengths (in segments) this route can take: exactly its own, or for a catch-all at
  // least one more than its prefix.
  const auto index = static_cast<std::uint32_t>(entries_.size());
  const bool rest = !e.segments.empty() && e.segments.back().kind == Segment::kRest;
  for (std::size_t n = 0; n <= kIndexedParts; ++n) {
    if (rest ? n >= e.segments.size() : n == e.segments.size()) by_parts_[n].push_back(index);
  }
  if (rest) longer_paths_.push_back(index);
  e.handler = std::move(handler);
  entries_.push_back(std::move(e));
  RouteInfo info{op.method, op.path, op.audience, op.streams_body, nullptr};
  info.operation = std::make_shared<const Operation>(std::move(op));
  infos_.push_back(std::move(info));
}

void Router::add(std::string method, std::string path_template, Audience audience,
                 std::string summary, Handler handler, bool streams_body) {
  Operation op;
  op.method = std::move(method);
  op.path = std::move(path_template);
  op.audience = audience;
  op.summary = std::move(summary);
  op.streams_body = streams_body;
  add(std::move(op), std::move(handler));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  auto parts = split_path(path);
  // Only the routes that can take this many segments, still in the order they were added.
  const auto& candidates =
      parts.size() < by_parts_.size() ? by_parts_[parts.size()] : longer_paths_;
  for (const std::size_t r : candidates) {
    const auto& segs = entries_[r].segments;
    // The shape first (literals, non-empty parameters, the segment count), with nothing decoded
    // or allocated: most routes are ruled out here, and only the one taken decodes its values.
    bool ok = true;
    bool rest_consumed = false;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& s = segs[i];
      if (s.kind == Segment::kRest) {
        // Everything after the prefix, slashes included (even a leading one, so the handler can
        // refuse "//abs" as a bad key rather than the router calling it an unknown path),
        // decoded as one value.
        ok = !path.substr(rest_offset(path, parts, i)).empty();
        rest_consumed = true;
        break;
      }
      if (i >= parts.size()) ok = false;
      else if (s.kind == Segment::kLiteral) ok = parts[i] == s.text;
      else ok = !parts[i].empty();
    }
    if (!ok || (!rest_consumed && parts.size() != segs.size())) continue;
    // HEAD is answered by the GET route (the server sends its head without the body).
    const bool same_method =
        infos_[r].method == method || (method == "HEAD" && infos_[r].method == "GET");
    if (!same_method) {
      if (std::find(m.allowed_methods.begin(), m.allowed_methods.end(), infos_[r].method) ==
          m.allowed_methods.end())
        m.allowed_methods.push_back(infos_[r].method);
      continue;
    }
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const auto& s = segs[i];
      if (s.kind == Segment::kRest) {
        m.params.emplace_back(s.text, decode(path.substr(rest_offset(path, parts, i))));
        break;
      }
      if (s.kind == Segment::kParam) m.params.emplace_back(s.text, decode(parts[i]));
    }
    m.route = &infos_[r];
    m.handler = &entries_[r].handler;
    m.allowed_methods.clear();
    return m;
  }
  // Wherever GET is allowed, so is HEAD.
  auto get = std::find(m.allowed_methods.begin(), m.allowed_methods.end(), "GET");
  if (get != m.allowed_methods.end() &&
      std::find(m.allowed_methods.begin(), m.allowed_methods.end(), "HEAD") ==
          m.allowed_methods.end())
    m.allowed_methods.insert(get + 1, "HEAD");
  return m;
}

namespace {

// The 404 or 405 for a request no route takes.
ApiError routing_error(const Request& req, const Router::Match& m) {
  if (m.allowed_methods.empty()) return NotFound("no route for " + req.method + " " + req.path);
  std::string allow;
  for (auto& a : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + a;
  MethodNotAllowed err("method " + req.method + " is not allowed on " + req.path +
                       " (allowed: " + allow + ")");
  err.with_header("Allow", allow);
  return err;
}

// Paths of the tenant API (where a route would take a tenant token).
bool tenant_namespace(std::string_view path) {
  return path.starts_with("/v1/") && !path.starts_with("/v1/admin/") && path != "/v1/admin";
}

}  // namespace

Middleware routing(const Router& router) {
  // The handler of a tenant-API request that no route takes (see below): answers its 404/405
  // after authentication and the rate limit have run. Matching again costs only on this path.
  auto unmatched = std::make_shared<const Handler>(
      [&router](Request& req) -> boost::asio::awaitable<Response> {
        throw routing_error(req, router.match(req.method, req.path));
        co_return Response{};  // never reached; makes this lambda a coroutine
      });
  // Not a coroutine: it only sets the request up and hands it on (its throws reach the caller's
  // co_await like a coroutine's would), so it costs no frame per request.
  return [&router, unmatched](Request& req,
                              const Handler& next) -> boost::asio::awaitable<Response> {
    // Not echoed: a made-up method can be kilobytes long.
    if (!util::is_known_http_method(req.method))
      throw ApiError(501, "invalid_request", "request method not implemented");
    auto m = router.match(req.method, req.path);
    if (!m.route) {
      // A request with credentials on the tenant API's paths goes on as a tenant request with
      // no route (req.route stays empty): a valid tenant token is authenticated and counted,
      // so its 404/405 carries the rate-limit headers like every other tenant response; the
      // authentication middleware lets a failed authentication through anonymously for such a
      // request, so the answer is the same 404/405 whatever the credentials.
      if (tenant_namespace(req.path) && req.header("authorization")) {
        req.audience = Audience::kTenant;
        req.route_handler = unmatched.get();
        return next(req);
      }
      throw routing_error(req, m);
    }
    req.route = m.route->path_template;
    req.audience = m.route->audience;
    req.path_params = std::move(m.params);
    req.route_handler = m.handler;
    req.streams_body = m.route->streams_body;
    req.operation = m.route->operation.get();
    req.prefetch_cache_key = m.route->operation->prefetch_cache_key;
    return next(req);
  };
}

namespace {
// dispatch_to_route's path for a request whose body is still to be read.
boost::asio::awaitable<Response> read_body_and_dispatch(Request& req, const Handler& handler,
                                                        const Operation* op) {
  req.body_chunk_reader = nullptr;
  auto read_body = std::move(req.body_reader);
  req.body_reader = nullptr;
  co_await read_body(req);
  if (op && !req.streams_body) check_body(*op, req);
  co_return co_await handler(req);
}
}  // namespace

Handler dispatch_to_route() {
  // A coroutine only when there is a body to read first (read_body_and_dispatch).
  return [](Request& req) -> boost::asio::awaitable<Response> {
    const auto* handler = static_cast<const Handler*>(req.route_handler);
    if (!handler) throw std::logic_error("dispatch without routing");
    // No route (a tenant-API path, see routing()): its 404/405 never needs the body.
    if (req.route.empty()) return (*handler)(req);
    // Parameters first: a request refused for its path or query is refused before its body
    // is read.
    const auto* op = static_cast<const Operation*>(req.operation);
    if (op) check_parameters(*op, req);
    // A streaming route reads through body_chunk_reader; a server that offers none (tests'
    // in-process servers, a route outside the upload prefix) reads the body whole first and the
    // handler's read_body_chunk then serves it from memory.
    if (req.streams_body && req.body_chunk_reader) {
      req.body_reader = nullptr;
    } else if (req.body_reader) {
      return read_body_and_dispatch(req, *handler, op);
    }
    if (op && !req.streams_body) check_body(*op, req);
    return (*handler)(req);
  };
}

}  // namespace autoblog::http
