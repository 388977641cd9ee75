#pragma once
// Tenant object storage over HTTP (docs/api.md and docs/architecture.md): PUT/GET/DELETE /v1/files/{key} with raw bytes
// and GET /v1/files?prefix=&cursor=&limit=. Keys are validated before any backend sees them;
// the tenant comes from the token, so no key spelling can reach another tenant's prefix.
// A PUT that would take the tenant past its storage quota (tenancy::storage_quota: the tier's
// default from `quotas` or the tenant's limits.storage_bytes) is 429 quota_exceeded and stores
// nothing; the usage figure it is checked against is UsageReporter's (how exact: see there).
#include "http/router.h"
#include "tenancy/tenant.h"

namespace autoblog::storage {
class ObjectStorage;
}

namespace autoblog::api {

class UsageReporter;

void add_files_routes(http::Router& router, storage::ObjectStorage& storage,
                      UsageReporter& usage, tenancy::StorageQuotaDefaults quotas);

}  // namespace autoblog::api
