#include "http/request_validation.h"

#include <boost/json/object.hpp>
#include <cctype>

#include "http/errors.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/schema.h"

namespace autoblog::http {

// Every request of a route with parameters comes through here, so the valid case builds no
// strings: a parameter's name for a message is made only once it is known to be needed.
void check_parameters(const Operation& op, const Request& req) {
  for (const auto& p : op.params) {
    std::optional<std::string_view> raw;
    switch (p.in) {
      case ParamSpec::In::kPath:
        for (const auto& [k, v] : req.path_params)
          if (k == p.name) raw = v;
        break;
      case ParamSpec::In::kQuery:
        raw = req.query_param(p.name);
        break;
      case ParamSpec::In::kHeader: {
        std::string lower = p.name;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        raw = req.header(lower);
        break;
      }
    }
    auto name = [&p] {
      switch (p.in) {
        case ParamSpec::In::kPath:
          return "path parameter '" + p.name + "'";
        case ParamSpec::In::kQuery:
          return "query parameter '" + p.name + "'";
        case ParamSpec::In::kHeader:
          break;
      }
      return "header " + p.name;
    };
    if (!raw) {
      if (p.required) throw BadRequest(name() + " is required");
      continue;
    }
    if (schema::check_parameter(p.schema, *raw, {}))
      throw BadRequest(*schema::check_parameter(p.schema, *raw, name()));
  }
}

void check_body(const Operation& op, Request& req) {
  if (!op.body || op.body->content_type != "application/json") return;
  auto body = std::make_shared<boost::json::object>(parse_json_object(req, !op.body->required));
  if (auto bad = schema::check(op.body->schema, *body, "request body")) throw BadRequest(*bad);
  req.json_body = std::move(body);
}

}  // namespace autoblog::http
