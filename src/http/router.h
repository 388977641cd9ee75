#pragma once
// Method + path routing with named path parameters ("/v1/content/{id}") and one optional
// trailing catch-all ("/v1/files/{key+}"). Routes are added at start-up, then the table is
// read-only: match() is safe from any thread.
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"

namespace autoblog::http {

struct RouteInfo {
  std::string method;
  std::string path_template;
  Audience audience;
  std::string summary;  // one line for the OpenAPI document
  // The handler reads the body itself with Request::read_body_chunk (uploads): it is never
  // read whole into Request::body, so its memory is bounded by the handler's chunk.
  bool streams_body = false;
};

class Router {
 public:
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
};

// Middleware that routes: sets req.route/audience/path_params/route_handler; unknown paths are
// 404 and known paths with another method 405 (thrown, so the error middleware answers).
Middleware routing(const Router& router);
// The innermost handler: calls the handler chosen by routing().
Handler dispatch_to_route();

}  // namespace autoblog::http
