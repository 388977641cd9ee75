#include "api/openapi.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "api/definitions.h"
#include "http/operation.h"
#include "http/schema.h"

namespace autoblog::api {

namespace json = boost::json;
namespace s = http::schema;
using http::Audience;
using http::Operation;

namespace {

const std::pair<std::string_view, std::string_view> kTags[] = {
    {"ops", "Health, readiness, metrics and this document (public)"},
    {"admin", "Platform operator: tenants, their tokens and the job queue (admin bearer token)"},
    {"tenant", "The calling tenant, its brand and its health (tenant JWT)"},
    {"content", "Content items through the pipeline and their performance (tenant JWT)"},
    {"jobs", "The tenant's queued and finished jobs, such as generations (tenant JWT)"},
    {"files", "The tenant's object storage (tenant JWT)"},
};

bool rate_limited(const Operation& op) {
  return op.audience == Audience::kTenant && !op.path.starts_with("/health");
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "/v1/files/{key+}" → "/v1/files/{key}": OpenAPI names a parameter as in the path.
std::string document_path(std::string_view t) {
  std::string out(t);
  for (auto pos = out.find("+}"); pos != std::string::npos; pos = out.find("+}", pos))
    out.erase(pos, 1);
  return out;
}

json::value header_ref(std::string_view name) {
  return json::object{{"$ref", "#/components/headers/" + std::string(name)}};
}

json::object response_object(const http::ResponseSpec& r) {
  json::object o{{"description", r.description}};
  if (!r.content_type.empty()) {
    json::value schema = r.schema;
    if (schema.is_null()) schema = json::object{{"type", "string"}, {"format", "binary"}};
    json::object content{{r.content_type, json::object{{"schema", std::move(schema)}}}};
    for (const auto& [type, more] : r.more_content) content[type] = {{"schema", more}};
    o["content"] = std::move(content);
  }
  if (!r.headers.empty()) {
    json::object headers;
    for (const auto& h : r.headers) {
      json::object ho{{"description", h.description}, {"schema", h.schema}};
      if (h.required) ho["required"] = true;
      headers[h.name] = std::move(ho);
    }
    o["headers"] = std::move(headers);
  }
  return o;
}

json::object error_object(std::string_view description) {
  return {
      {"description", description},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

void add_header(json::object& response, std::string_view name, json::value ref) {
  auto& headers = response["headers"];
  if (!headers.is_object()) headers = json::object{};
  headers.as_object()[name] = std::move(ref);
}

// The responses every operation of this kind can give, beside its own.
void add_common_responses(const Operation& op, json::object& responses) {
  auto add = [&](unsigned status, std::string_view description) {
    auto key = std::to_string(status);
    if (!responses.contains(key)) responses[key] = error_object(description);
  };
  // Any request can be malformed at the HTTP level; parameters and bodies are checked too.
  add(400, !op.params.empty() || op.body
               ? "invalid_request: a parameter or body field breaks its schema (the message "
                 "names it), or the request is malformed"
               : "invalid_request: the request is malformed");
  if (op.audience != Audience::kPublic) {
    add(401, "unauthorized: missing, malformed, expired or revoked bearer token");
    add(403, op.audience == Audience::kAdmin ? "forbidden"
                                             : "forbidden: the tenant is suspended or deleted");
    add_header(responses["401"].as_object(), "WWW-Authenticate", header_ref("WWW-Authenticate"));
  }
  bool has_path_params = false;
  for (const auto& p : op.params) has_path_params |= p.in == http::ParamSpec::In::kPath;
  if (has_path_params) add(404, "not_found");
  if (op.body) {
    add(413, "payload_too_large: the body is over the server's limit");
    if (op.body->content_type == "application/json")
      add(415, "unsupported_media_type: the body must be application/json");
  }
  if (rate_limited(op)) {
    add(429, "rate_limited (Retry-After says when to retry) or quota_exceeded");
    add_header(responses["429"].as_object(), "Retry-After", header_ref("Retry-After"));
  }
  add(500, "internal: an unexpected failure (the message carries the request id)");
  add(503, "unavailable: a dependency is down, or the request ran past its deadline");
  // Tenant routes carry the rate-limit state on every response the limiter has seen (all but
  // authentication failures).
  if (rate_limited(op)) {
    for (auto& kv : responses) {
      if (kv.key() == "401" || kv.key() == "403") continue;
      for (auto name : {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"})
        add_header(kv.value().as_object(), name, header_ref(name));
    }
  }
}

json::object operation_object(const Operation& op) {
  json::object o;
  o["operationId"] = op.operation_id;
  o["summary"] = op.summary;
  if (!op.description.empty()) o["description"] = op.description;
  o["tags"] = json::array{json::value(op.tag)};
  switch (op.audience) {
    case Audience::kPublic:
      o["security"] = json::array{};
      break;
    case Audience::kAdmin:
      o["security"] = json::array{json::object{{"adminToken", json::array{}}}};
      break;
    case Audience::kTenant:
      o["security"] = json::array{json::object{{"tenantToken", json::array{}}}};
      break;
  }
  json::array params;
  for (const auto& p : op.params) {
    const char* in = p.in == http::ParamSpec::In::kPath    ? "path"
                     : p.in == http::ParamSpec::In::kQuery ? "query"
                                                           : "header";
    json::object po{{"name", p.name}, {"in", in}, {"required", p.required}, {"schema", p.schema}};
    if (!p.description.empty()) po["description"] = p.description;
    // The catch-all segment: the value is the rest of the path, slashes included (tools that
    // match one segment per parameter can send it with %2F).
    if (op.path.find("{" + p.name + "+}") != std::string::npos) po["x-rest-of-path"] = true;
    params.push_back(std::move(po));
  }
  if (!params.empty()) o["parameters"] = std::move(params);
  if (op.body) {
    json::value schema = op.body->schema;
    if (schema.is_null()) schema = json::object{{"type", "string"}, {"format", "binary"}};
    json::object body{{"required", op.body->required},
                      {"content", {{op.body->content_type, {{"schema", std::move(schema)}}}}}};
    if (!op.body->description.empty()) body["description"] = op.body->description;
    o["requestBody"] = std::move(body);
  }
  json::object responses;
  for (const auto& r : op.responses) responses[std::to_string(r.status)] = response_object(r);
  add_common_responses(op, responses);
  o["responses"] = std::move(responses);
  return o;
}

// HEAD answers as GET does, without a body (RFC 9110 §9.3.2).
json::object head_object(json::object get) {
  auto id = std::string(get["operationId"].as_string());
  id[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(id[0])));
  get["operationId"] = "head" + id;
  get["summary"] = "Headers only: " + std::string(get["summary"].as_string());
  for (auto& kv : get["responses"].as_object()) kv.value().as_object().erase("content");
  return get;
}

json::object components_headers() {
  auto integer = [](std::string_view description) {
    return json::object{{"description", description},
                        {"schema", {{"type", "integer"}, {"minimum", 0}}}};
  };
  return {
      {"X-RateLimit-Limit", integer("Requests allowed per hour (the tenant's limit)")},
      {"X-RateLimit-Remaining", integer("Requests left in the current window")},
      {"X-RateLimit-Reset",
       integer("Seconds until the window is full again (as the IETF RateLimit headers draft)")},
      {"Retry-After", integer("Seconds to wait before retrying")},
      {"WWW-Authenticate",
       {{"description", "The authentication scheme: Bearer"}, {"schema", {{"type", "string"}}}}},
  };
}

}  // namespace

std::string openapi_document(const http::Router& router) {
  json::object paths;
  std::set<std::string> used_tags;
  for (const auto& r : router.routes()) {
    const auto& op = *r.operation;
    auto& item = paths[document_path(op.path)];
    if (!item.is_object()) item = json::object{};
    auto o = operation_object(op);
    if (op.method == "GET") item.as_object()["head"] = head_object(o);
    item.as_object()[lower(op.method)] = std::move(o);
    used_tags.insert(op.tag);
  }
  json::array tags;
  for (auto [name, description] : kTags)
    if (used_tags.contains(std::string(name)))
      tags.push_back(json::object{{"name", name}, {"description", description}});

  json::object doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {
      {"title", "AutoBlog API"},
      {"version", "1.0.0"},
      {"description",
       "Multi-tenant content pipeline. Admin routes take the operator's bearer token; tenant "
       "routes take a tenant JWT issued by POST /v1/admin/tenants/{id}/tokens. Every error has "
       "the body {\"error\": {\"code\", \"message\"}}."},
      {"license", {{"name", "Proprietary"}}}};
  doc["servers"] = json::array{json::object{{"url", "/"}, {"description", "This server"}}};
  doc["tags"] = std::move(tags);
  doc["paths"] = std::move(paths);
  doc["components"] = {{"securitySchemes",
                        {{"adminToken",
                          {{"type", "http"},
                           {"scheme", "bearer"},
                           {"description", "The operator's admin token (AUTOBLOG_ADMIN_TOKEN)"}}},
                         {"tenantToken",
                          {{"type", "http"},
                           {"scheme", "bearer"},
                           {"bearerFormat", "JWT"},
                           {"description", "A tenant's HS256 JWT"}}}}},
                       {"headers", components_headers()},
                       {"schemas", defs::components()}};
  return json::serialize(doc);
}

}  // namespace autoblog::api
