#pragma once
// A SQL statement with its bind parameters. User input only ever travels as parameters
// (text format); SQL text comes from named constants. Plain value type.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/schema_identifier.h"

namespace autoblog::db {

using Param = std::optional<std::string>;  // nullopt = SQL NULL
using Params = std::vector<Param>;

// A named query: the name is for logs and errors, the SQL is a compile-time constant.
// Untagged: only the db layer's own control statements (BEGIN, COMMIT, set_config) use it
// directly; no transaction type accepts it from callers.
struct Query {
  std::string_view name;
  std::string_view sql;
};

// Which tables a query is written for. Core queries name autoblog_core.* tables and run on a
// db::CoreTx; tenant queries are templates that write every tenant table as `{schema}.table`,
// rendered for one tenant by the TenantTx that runs them (db/schema_identifier.h), and run only
// on a tenancy::TenantTx. The tag is part of the type, so running a query on the wrong kind of
// transaction does not compile (tests/compile_fail/). Pooled connections keep an empty
// search_path, so a tenant table named without the placeholder is an error, never another
// tenant's rows.
// A third kind, TenantCoreQuery, reads or changes core rows that belong to one tenant (its jobs,
// its daily usage) and runs on that tenant's TenantTx, so a change to tenant data and the job or
// quota unit it implies commit or roll back together. Its $1 is the tenant's id, bound by the
// TenantTx itself: the SQL must say `tenant_id = $1` (checked at compile time) and callers
// cannot pass another tenant's id.
enum class Scope { kCore, kTenant, kTenantCore };

constexpr bool is_tenant_core_sql(std::string_view sql) {
  return sql.find("tenant_id = $1") != std::string_view::npos &&
         sql.find(kSchemaPlaceholder) == std::string_view::npos;
}

// Declared as named constants: `inline constexpr db::CoreQuery kGet{"tenant_get", "SELECT ..."};`.
// The constructor is explicit, so a braced {"name", "sql"} at a call site does not silently
// take whatever scope the callee wants.
template <Scope S>
class ScopedQuery {
 public:
  // consteval: a tenant query that is not a valid template fails to compile.
  explicit consteval ScopedQuery(std::string_view name, std::string_view sql) : query_{name, sql} {
    if (S == Scope::kTenant && !is_tenant_sql_template(sql))
      throw "a tenant query must write its tables as {schema}.table";
    if (S == Scope::kTenantCore && !is_tenant_core_sql(sql))
      throw "a tenant core query must select its rows with tenant_id = $1";
  }
  constexpr std::string_view name() const { return query_.name; }
  constexpr std::string_view sql() const { return query_.sql; }
  // The untagged query, for the transaction that has already checked the scope.
  constexpr const Query& untagged() const { return query_; }

 private:
  Query query_;
};

using CoreQuery = ScopedQuery<Scope::kCore>;
using TenantQuery = ScopedQuery<Scope::kTenant>;
using TenantCoreQuery = ScopedQuery<Scope::kTenantCore>;

// One SELECT and nothing else: no second statement, no row locks, so no data-modifying CTE
// (those start with WITH) either.
constexpr bool is_plain_select_sql(std::string_view sql) {
  constexpr std::string_view kLocks[] = {" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE",
                                         " FOR KEY SHARE"};
  if (!sql.starts_with("SELECT ") || sql.find(';') != std::string_view::npos) return false;
  for (auto lock : kLocks)
    if (sql.find(lock) != std::string_view::npos) return false;
  return true;
}

// A tenant query that only reads (checked at compile time): the only kind TenantTx::read_one
// takes, because a read may share its implicit transaction with other requests' statements
// (db/shared_reads.h), which a failure among them rolls back. A write there could be reported
// done and then be undone. query() is the TenantQuery it is.
class TenantReadQuery {
 public:
  explicit consteval TenantReadQuery(std::string_view name, std::string_view sql)
      : query_(name, sql) {
    if (!is_plain_select_sql(sql)) throw "a tenant read query must be one plain SELECT";
  }
  constexpr const TenantQuery& query() const { return query_; }

 private:
  TenantQuery query_;
};

struct Statement {
  std::string_view sql;  // must outlive the call (named constants do)
  Params params;
  // Prepare once per connection and reuse (skips parsing and planning on the server). Only for
  // fixed SQL text such as named Query constants, never for generated SQL.
  bool prepare = false;
  // Set: `sql` is a tenant template, rendered for this schema; prepared through the
  // connection's statement cache (db/statement_cache.h). Must outlive the call.
  const SchemaIdentifier* schema = nullptr;
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
