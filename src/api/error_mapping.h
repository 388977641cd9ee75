#pragma once
// How the errors of the layers below http become HTTP replies — plugged into
// http::error_mapping and http::access_log by the composition root, so both use this one table:
//
//   domain::Error by kind (content::*, tenancy::*):
//     NotFound → 404 not_found, Conflict → 409 conflict, InvalidInput → 400 invalid_request,
//     Forbidden → 403 forbidden (e.g. TenantInactive), Unavailable → 503 unavailable
//   db::UniqueViolation → 409 conflict          db::PoolTimeout, ConnectionError → 503
//   storage::StorageUnavailable → 503           db SQLSTATE class 22 (bad value) → 400
//   any other db::DbError → 500 (logged with its SQLSTATE)
//
// Returns nullopt for anything else (http then answers 500). Pure; thread-safe.
#include <exception>
#include <optional>

#include "http/error_mapping.h"

namespace autoblog::api {

std::optional<http::ErrorReply> map_exception(const std::exception_ptr& error,
                                              const http::Request& req);

}  // namespace autoblog::api
