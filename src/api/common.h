#pragma once
// Small helpers shared by the API handlers. Stateless; thread-safe.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "db/statement.h"
#include "http/message.h"
#include "tenancy/tenant.h"

namespace autoblog::api {

// The path parameter as a canonical lowercase UUID; 400 when it is not one.
std::string uuid_param(const http::Request& req, std::string_view name);

// The tenant JSON of DESIGN §2.
boost::json::object tenant_json(const tenancy::Tenant& t);
boost::json::object limits_json(const tenancy::TierLimits& l);

// {"items": [<already-serialised JSON>...], "next_cursor": ...} without re-parsing the items.
std::string list_body(const std::vector<std::string>& items_json,
                      const std::optional<std::string>& next_cursor);

// A JSON body field as a jsonb bind parameter: absent or null → SQL NULL.
db::Param json_param(const boost::json::value* v);

// The tenant resolved by authentication (tenant routes only).
const tenancy::Tenant& caller(const http::Request& req);

}  // namespace autoblog::api
