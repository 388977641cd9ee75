#include "db/result.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "db/errors.h"

namespace autoblog::db {

void Result::Deleter::operator()(pg_result* r) const { PQclear(r); }

Result::Result(pg_result* res) : res_(res) {}

int Result::rows() const { return res_ ? PQntuples(res_.get()) : 0; }
int Result::columns() const { return res_ ? PQnfields(res_.get()) : 0; }

bool Result::is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }

std::string_view Result::get(int row, int col) const {
  return {PQgetvalue(res_.get(), row, col),
          static_cast<std::size_t>(PQgetlength(res_.get(), row, col))};
}

std::optional<std::string> Result::get_opt(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return std::string(get(row, col));
}

std::int64_t Result::get_int(int row, int col) const {
  auto s = get(row, col);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw DbError("XX000", "expected an integer column, got '" + std::string(s) + "'");
  return v;
}

bool Result::get_bool(int row, int col) const { return get(row, col) == "t"; }

std::int64_t Result::affected() const {
  const char* n = res_ ? PQcmdTuples(res_.get()) : "";
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

void throw_db_error(const std::string& sqlstate, const std::string& message,
                    const std::string& constraint) {
  if (sqlstate == "23505") throw UniqueViolation(sqlstate, message, constraint);
  if (sqlstate == "23503") throw ForeignKeyViolation(sqlstate, message, constraint);
  if (sqlstate == "22P02") throw InvalidTextRepresentation(sqlstate, message);
  if (sqlstate.rfind("08", 0) == 0) throw ConnectionError(message);
  // query_canceled: statement_timeout (every transaction sets one) or an operator's cancel.
  if (sqlstate == "57014") throw QueryTimeout(message);
  throw DbError(sqlstate, message);
}

}  // namespace autoblog::db
