#pragma once
// Errors of content::ContentService (kinds and their HTTP statuses: domain/errors.h).
#include "domain/errors.h"

namespace autoblog::content {

struct NotFound : domain::NotFoundError {
  explicit NotFound(const std::string& m = "content item not found") : domain::NotFoundError(m) {}
};
// A status change the pipeline does not allow (status.h).
struct IllegalTransition : domain::ConflictError {
  explicit IllegalTransition(const std::string& m) : domain::ConflictError(m) {}
};
struct InvalidInput : domain::InvalidInputError {
  explicit InvalidInput(const std::string& m) : domain::InvalidInputError(m) {}
};

}  // namespace autoblog::content
