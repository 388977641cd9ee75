#pragma once
// Job routes: generating an article (POST /v1/content/{id}/generate), trend discovery
// (POST /v1/trends/discover), a tenant's jobs
// (GET/DELETE /v1/jobs…), today's usage (GET /v1/usage) and the operator's queue overview
// (GET /v1/admin/queue). The rules live in jobs::GenerationService and jobs::JobService.
#include <boost/json/object.hpp>

#include "db/pool.h"
#include "http/router.h"
#include "jobs/job_service.h"

namespace autoblog::api {

// The usage JSON of GET /v1/usage (and inside GET /v1/tenant).
boost::json::object usage_json(const tenancy::ActiveTenant& tenant, const jobs::UsageToday& usage);

void add_job_routes(http::Router& router, db::Pool& pool);

}  // namespace autoblog::api
