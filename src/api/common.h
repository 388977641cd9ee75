#pragma once
// Small helpers shared by the API handlers. Stateless; thread-safe.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "http/message.h"
#include "tenancy/active_tenant.h"

namespace autoblog::api {

// The path parameter as a canonical lowercase UUID; 400 when it is not one.
std::string uuid_param(const http::Request& req, std::string_view name);

// The tenant JSON of DESIGN §2.
boost::json::object tenant_json(const tenancy::Tenant& t);
boost::json::object limits_json(const tenancy::TierLimits& l);

// {"items": [<already-serialised JSON>...], "next_cursor": ...} without re-parsing the items.
std::string list_body(const std::vector<std::string>& items_json,
                      const std::optional<std::string>& next_cursor);

// A JSON body field as serialised JSON text for a domain input: absent or null → nullopt.
std::optional<std::string> json_text(const boost::json::value* v);

// The tenant resolved by authentication (tenant routes only).
const tenancy::ActiveTenant& active_caller(const http::Request& req);
inline const tenancy::Tenant& caller(const http::Request& req) {
  return active_caller(req).tenant();
}

}  // namespace autoblog::api
