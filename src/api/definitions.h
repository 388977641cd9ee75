#pragma once
// The pieces route declarations share: the named schemas of the API's resources (the
// document's components), common parameters (UUID ids, pagination) and response shapes.
// Route files (admin_api.cpp, content_api.cpp, ...) compose their http::Operation from these;
// the request validation and the OpenAPI document read the result. Pure functions; thread-safe.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "http/operation.h"

namespace autoblog::api::defs {

// The schemas referred to by schema::ref(name): Error, Tenant, TenantLimits, LimitOverrides,
// ContentItem, PerformanceRecord, Brand, FileInfo, IssuedToken, TokenInfo.
const boost::json::object& components();

// A brand's `sources` (trend discovery), written inline where used: request bodies cannot use
// references, and a nullable reference is not valid OpenAPI 3.0.
boost::json::value sources_schema();

// Properties shared by the tenant objects of the admin API and GET /v1/tenant.
boost::json::object tenant_properties();

// A path parameter holding a UUID (any case; answered in lower case).
http::ParamSpec uuid_path(std::string name, std::string description);
// ?limit= (1..max_limit, default default_limit) and ?cursor= (opaque, from next_cursor).
http::ParamSpec limit_query(int default_limit = 20, int max_limit = 100);
http::ParamSpec cursor_query();

// {"items": [item...], "next_cursor": string|null}
boost::json::value page_of(boost::json::value item);

// A JSON response of `schema`.
http::ResponseSpec response(unsigned status, std::string description, boost::json::value schema);
// A 201 with the created resource and its Location.
http::ResponseSpec created(std::string description, boost::json::value schema);
// 204, no body.
http::ResponseSpec no_content(std::string description);
// An error response the operation gives beside the common ones (e.g. 409 conflict).
http::ResponseSpec error(unsigned status, std::string description);

}  // namespace autoblog::api::defs
