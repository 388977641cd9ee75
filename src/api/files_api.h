#pragma once
// Tenant object storage over HTTP (DESIGN §2, §4): PUT/GET/DELETE /v1/files/{key} with raw bytes
// and GET /v1/files?prefix=&cursor=&limit=. Keys are validated before any backend sees them;
// the tenant comes from the token, so no key spelling can reach another tenant's prefix.
#include "http/router.h"

namespace autoblog::storage {
class ObjectStorage;
}

namespace autoblog::api {

class UsageReporter;

void add_files_routes(http::Router& router, storage::ObjectStorage& storage,
                      UsageReporter& usage);

}  // namespace autoblog::api
