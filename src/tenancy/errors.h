#pragma once
// Errors of the tenant registry and tenancy::TenantService (see domain/errors.h for the kinds and
// where they become HTTP statuses).
#include "domain/errors.h"

namespace autoblog::tenancy {

struct TenantNotFound : domain::NotFoundError {
  explicit TenantNotFound(const std::string& m = "tenant not found") : domain::NotFoundError(m) {}
};
// No token with this jti was issued to this tenant.
struct TokenNotFound : domain::NotFoundError {
  explicit TokenNotFound(const std::string& m = "token not found") : domain::NotFoundError(m) {}
};

// The domain belongs to another tenant (the registry's unique constraint said so).
struct DomainTaken : domain::ConflictError {
  explicit DomainTaken(const std::string& m) : domain::ConflictError(m) {}
};
struct InvalidInput : domain::InvalidInputError {
  explicit InvalidInput(const std::string& m) : domain::InvalidInputError(m) {}
};
// The tenant cannot be served: unknown to authentication, suspended or deleted — at
// authentication, or found out mid-request (its schema vanished under a TenantTx).
struct TenantInactive : domain::ForbiddenError {
  explicit TenantInactive(const std::string& m) : domain::ForbiddenError(m) {}
};

}  // namespace autoblog::tenancy
