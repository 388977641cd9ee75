#pragma once
// Method + path routing with named path parameters ("/v1/content/{id}") and one optional
// trailing catch-all ("/v1/files/{key+}"). Each route carries its http::Operation (parameters,
// body and responses, http/operation.h): dispatch_to_route() checks the request against it
// before the handler runs, and the OpenAPI document is generated from it. Routes are added at
// start-up, then the table is read-only: match() is safe from any thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"

namespace autoblog::http {

struct Operation;  // http/operation.h (kept out of this widely included header)

struct RouteInfo {
  std::string method;
  std::string path_template;
  Audience audience;
  bool streams_body = false;  // see Operation::streams_body
  std::shared_ptr<const Operation> operation;  // never null
};

class Router {
 public:
  // Throws std::logic_error on a template the router cannot match or an operation whose
  // parameters do not match its path (a programming error, found at start-up).
  void add(Operation operation, Handler handler);
  // A route with no declared parameters, body or responses (tests of routing itself).
  void add(std::string method, std::string path_template, Audience audience, std::string summary,
           Handler handler, bool streams_body = false);

  struct Match {
    const RouteInfo* route = nullptr;  // null: no route for this path or method
    const Handler* handler = nullptr;
    Fields params;
    std::vector<std::string> allowed_methods;  // non-empty when the path exists but not the method
  };
  // `path` is still percent-encoded; parameters are decoded. Throws BadRequest on bad encoding.
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<RouteInfo>& routes() const { return infos_; }

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    enum Kind { kLiteral, kParam, kRest } kind;
  };
  struct Entry {
    std::vector<Segment> segments;
    Handler handler;
  };
  std::vector<Entry> entries_;
  std::vector<RouteInfo> infos_;  // parallel to entries_
  // Which entries can match a path of n segments (by_parts_[n], n <= kIndexedParts; longer
  // paths: longer_paths_, the catch-all routes), in the order added, so that match() looks at a
  // few routes instead of all of them and still takes the first one added.
  static constexpr std::size_t kIndexedParts = 12;
  std::vector<std::vector<std::uint32_t>> by_parts_ =
      std::vector<std::vector<std::uint32_t>>(kIndexedParts + 1);
  std::vector<std::uint32_t> longer_paths_;
};

// Middleware that routes: sets req.route/audience/path_params/route_handler; unknown paths are
// 404 and known paths with another method 405 (thrown, so the error middleware answers).
Middleware routing(const Router& router);
// The innermost handler: checks the path and query parameters against the route's operation,
// reads the body (unless the route streams it), checks a JSON body against its schema (400
// invalid_request naming the field, 415 for another media type) and calls the handler chosen
// by routing().
Handler dispatch_to_route();

}  // namespace autoblog::http
