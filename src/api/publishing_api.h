#pragma once
// Publishing routes: POST /v1/content/{id}/publish and /unpublish. The rules live in
// jobs::PublicationService; its errors become HTTP statuses in api/error_mapping.cpp.
#include "db/pool.h"
#include "http/router.h"

namespace autoblog::api {

void add_publishing_routes(http::Router& router, db::Pool& pool);

}  // namespace autoblog::api
