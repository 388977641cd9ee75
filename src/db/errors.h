#pragma once
// Database errors, classified by SQLSTATE so callers (and the one HTTP error mapping) can react:
// a unique violation is a 409, a pool timeout or lost connection a 503, the rest a 500.
#include <stdexcept>
#include <string>

namespace autoblog::db {

class DbError : public std::runtime_error {
 public:
  DbError(std::string sqlstate, const std::string& message, std::string constraint = {})
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  // The constraint (or unique index) the statement violated, as the server names it; empty when
  // the error is not about one. Lets a service tell which unique value was taken.
  const std::string& constraint() const noexcept { return constraint_; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

struct UniqueViolation : DbError {  // 23505
  using DbError::DbError;
};
struct ForeignKeyViolation : DbError {  // 23503
  using DbError::DbError;
};
struct InvalidTextRepresentation : DbError {  // 22P02 (bad uuid/enum text): a client error
  using DbError::DbError;
};
// The server could not be reached, the connection broke, or no pooled connection came in time.
struct ConnectionError : DbError {
  explicit ConnectionError(const std::string& message) : DbError("08000", message) {}
};
struct PoolTimeout : DbError {
  explicit PoolTimeout(const std::string& message) : DbError("57P03", message) {}
};
// A statement ran past its deadline: the server's statement_timeout fired (57014), or the server
// did not answer by the client-side deadline and the connection was abandoned. The API answers 503.
struct QueryTimeout : DbError {
  explicit QueryTimeout(const std::string& message) : DbError("57014", message) {}
};

// Throws the subclass matching `sqlstate`.
[[noreturn]] void throw_db_error(const std::string& sqlstate, const std::string& message,
                                 const std::string& constraint = {});

}  // namespace autoblog::db
