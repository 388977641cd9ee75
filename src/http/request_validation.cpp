#include "http/request_validation.h"

#include <boost/json/object.hpp>
#include <cctype>

#include "http/errors.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"

namespace autoblog::http {

void check_parameters(const Operation& op, const Request& req) {
  for (const auto& p : op.params) {
    std::optional<std::string_view> raw;
    std::string name;
    switch (p.in) {
      case ParamSpec::In::kPath:
        name = "path parameter '" + p.name + "'";
        for (const auto& [k, v] : req.path_params)
          if (k == p.name) raw = v;
        break;
      case ParamSpec::In::kQuery:
        name = "query parameter '" + p.name + "'";
        raw = req.query_param(p.name);
        break;
      case ParamSpec::In::kHeader: {
        name = "header " + p.name;
        std::string lower = p.name;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        raw = req.header(lower);
        break;
      }
    }
    if (!raw) {
      if (p.required) throw BadRequest(name + " is required");
      continue;
    }
    if (auto bad = schema::check_parameter(p.schema, *raw, name)) throw BadRequest(*bad);
  }
}

void check_body(const Operation& op, Request& req) {
  if (!op.body || op.body->content_type != "application/json") return;
  auto body = std::make_shared<boost::json::object>(parse_json_object(req, !op.body->required));
  if (auto bad = schema::check(op.body->schema, *body, "request body")) throw BadRequest(*bad);
  req.json_body = std::move(body);
}

}  // namespace autoblog::http
