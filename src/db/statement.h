#pragma once
// A SQL statement with its bind parameters. User input only ever travels as parameters
// (text format); SQL text comes from named constants. Plain value type.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::db {

using Param = std::optional<std::string>;  // nullopt = SQL NULL
using Params = std::vector<Param>;

// A named query: the name is for logs and errors, the SQL is a compile-time constant.
struct Query {
  std::string_view name;
  std::string_view sql;
};

struct Statement {
  std::string_view sql;  // must outlive the call (named constants do)
  Params params;
  // Prepare once per connection and reuse (skips parsing and planning on the server). Only for
  // fixed SQL text such as named Query constants, never for generated SQL.
  bool prepare = false;
};

inline Statement prepared(const Query& q, Params params = {}) {
  return Statement{q.sql, std::move(params), true};
}

inline Param param(std::string_view s) { return std::string(s); }
inline Param param(const char* s) { return std::string(s); }
inline Param param(const std::string& s) { return s; }
inline Param param(std::int64_t v) { return std::to_string(v); }
inline Param param(int v) { return std::to_string(v); }
inline Param param(bool v) { return std::string(v ? "true" : "false"); }
inline Param param(const std::optional<std::string>& v) { return v; }

}  // namespace autoblog::db
