#pragma once
// What one route accepts and answers, declared beside its handler: the one definition that
// the request validation (dispatch_to_route) enforces before the handler runs and that the
// OpenAPI document (api/openapi.h) is generated from. Plain data, built at start-up and then
// read-only (safe to read from any thread). Schemas are http::schema values (http/schema.h).
//
// Only the operation's own outcomes are listed in `responses`; the errors every route of an
// audience can give (400 for bad parameters or bodies, 401/403, 404 for unknown paths, 413, 415,
// 429 on tenant routes, 500, 503) are added to the document by its generator.
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/message.h"

namespace autoblog::http {

struct ParamSpec {
  enum class In { kPath, kQuery, kHeader };
  std::string name = {};  // for a catch-all "{key+}" path segment: "key"; headers: as sent
  In in = In::kQuery;
  bool required = false;  // path parameters are always required
  boost::json::value schema = {};
  std::string description = {};
};

struct HeaderSpec {
  std::string name = {};
  std::string description = {};
  boost::json::value schema = {};
  // Required headers are ones the server always sends with this response: the validating
  // proxy in the tests fails a response without them.
  bool required = false;
};

struct ResponseSpec {
  unsigned status = 200;
  std::string description = {};
  // The body's media type and schema; an empty content_type means no body (204, HEAD).
  std::string content_type = "application/json";
  boost::json::value schema = {};
  std::vector<HeaderSpec> headers = {};
  // Other media types the same status may carry (e.g. an object's bytes or, with ?presign=,
  // JSON): media type → schema.
  std::vector<std::pair<std::string, boost::json::value>> more_content = {};
};

struct BodySpec {
  // application/json bodies are parsed and checked against `schema` before the handler runs
  // (the parsed object is then Request::json_body); any other type is passed through as bytes.
  std::string content_type = "application/json";
  boost::json::value schema = {};
  bool required = true;  // false: an empty body stands for {}
  std::string description = {};
};

struct Operation {
  std::string method = {};  // upper case
  std::string path = {};    // the router's template: "/v1/content/{id}", "/v1/files/{key+}"
  Audience audience = Audience::kPublic;
  std::string operation_id = {};  // camelCase, unique
  std::string tag = {};           // groups operations in the document
  std::string summary = {};       // one line
  std::string description = {};   // optional, longer
  std::vector<ParamSpec> params = {};
  std::optional<BodySpec> body = {};
  std::vector<ResponseSpec> responses = {};
  // The handler reads the body itself with Request::read_body_chunk (uploads): it is never
  // read whole into Request::body, so its memory is bounded by the handler's chunk.
  bool streams_body = false;
  // The tenant-cache entry (its key within the tenant) the handler reads first on every call:
  // a rate limiter that can read it in the round trip of its decision does, and hands it over
  // in Request::prefetched (one Redis round trip for both). Empty: none.
  std::string prefetch_cache_key = {};
};

}  // namespace autoblog::http
