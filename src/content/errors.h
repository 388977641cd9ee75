#pragma once
// Errors of content::ContentService (kinds and their HTTP statuses: domain/errors.h).
#include "domain/errors.h"

namespace autoblog::content {

struct NotFound : domain::NotFoundError {
  explicit NotFound(const std::string& m = "content item not found") : domain::NotFoundError(m) {}
};
// A status change the pipeline does not allow (status.h), or an approval of an item that is not
// generated.
struct IllegalTransition : domain::ConflictError {
  explicit IllegalTransition(const std::string& m) : domain::ConflictError(m) {}
};
// An article's slug that another of the tenant's items already uses (one slug per tenant: the
// hosted blog serves /posts/{slug}).
struct SlugTaken : domain::ConflictError {
  explicit SlugTaken(const std::string& m) : domain::ConflictError(m) {}
};
// An edit the item's current status does not allow (its article is being generated).
struct WrongStatus : domain::ConflictError {
  explicit WrongStatus(const std::string& m) : domain::ConflictError(m) {}
};
struct InvalidInput : domain::InvalidInputError {
  explicit InvalidInput(const std::string& m) : domain::InvalidInputError(m) {}
};

}  // namespace autoblog::content
