#pragma once
// Small helpers shared by the API handlers. Stateless; thread-safe.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "content/paging.h"
#include "http/message.h"
#include "tenancy/active_tenant.h"

namespace autoblog::api {

// The path parameter as a canonical lowercase UUID; 400 when it is not one.
std::string uuid_param(const http::Request& req, std::string_view name);

// The tenant JSON of docs/api.md.
boost::json::object tenant_json(const tenancy::Tenant& t);
boost::json::object limits_json(const tenancy::TierLimits& l);
// The tenant as the admin API shows it: tenant_json plus "limits", the per-tenant overrides as
// stored (what PATCH's "limits" sets; {} when none), and "effective_limits", the tier's
// defaults with those overrides applied (the shape of GET /v1/tenant's "limits").
boost::json::object admin_tenant_json(const tenancy::Tenant& t);

// {"items": [<already-serialised JSON>...], "next_cursor": ...} without re-parsing the items.
std::string list_body(const std::vector<std::string>& items_json,
                      const std::optional<std::string>& next_cursor);

// The page a list route asks for: ?limit= (1..100, default 20; 400 otherwise) and ?cursor=.
content::PageRequest page_request(const http::Request& req);
// 200 with the page as list_body.
http::Response page_response(const content::JsonPage& page);

// A JSON body field as serialised JSON text for a domain input: absent or null → nullopt.
std::optional<std::string> json_text(const boost::json::value* v);

// Adds Location to a 201 Created: the path of the resource the request created (RFC 9110
// §10.2.2; an absolute path, resolved against the request's own URL).
http::Response& with_location(http::Response& res, std::string location);
// 202 Accepted for a request that queued a job: `body` (JSON) with Location: /v1/jobs/{job_id}.
http::Response job_accepted(std::string body, const std::string& job_id);
// The "id" member of a JSON object built by PostgreSQL (a created row); throws if it has none.
// Parses the text: only for create responses, never on a read path.
std::string json_id(std::string_view object_json);

// The tenant resolved by authentication (tenant routes only).
const tenancy::ActiveTenant& active_caller(const http::Request& req);
inline const tenancy::Tenant& caller(const http::Request& req) {
  return active_caller(req).tenant();
}

}  // namespace autoblog::api
