#pragma once
// The one value that may be spliced into SQL text: a tenant schema name, validated against
// ^tenant_[0-9a-f_]{36}$ and double-quoted. Tenant queries are templates whose tables are
// written `{schema}.table`; render_tenant_sql() is the one function that fills the placeholder,
// and it takes only a SchemaIdentifier, so no other string can reach SQL text this way.
// Plain value type; thread-safe to share once built.
#include <string>
#include <string_view>

namespace autoblog::db {

// The placeholder tenant query templates use for the tenant's schema.
inline constexpr std::string_view kSchemaPlaceholder = "{schema}";

bool is_valid_tenant_schema_name(std::string_view name);

class SchemaIdentifier {
 public:
  // Throws std::invalid_argument unless `name` is a valid tenant schema name.
  static SchemaIdentifier tenant(std::string_view name);

  std::string_view name() const { return std::string_view(quoted_).substr(1, quoted_.size() - 2); }
  // "\"tenant_…\"" (a valid name has no quote to double).
  const std::string& quoted() const { return quoted_; }

  friend bool operator==(const SchemaIdentifier&, const SchemaIdentifier&) = default;

 private:
  explicit SchemaIdentifier(std::string quoted) : quoted_(std::move(quoted)) {}
  std::string quoted_;
};

// `sql_template` with every kSchemaPlaceholder replaced by the quoted schema.
std::string render_tenant_sql(std::string_view sql_template, const SchemaIdentifier& schema);

// Compile-time check for tenant query templates: the placeholder appears, always followed by a
// '.', and no other '{' that could be a misspelt placeholder appears outside string literals.
constexpr bool is_tenant_sql_template(std::string_view sql) {
  bool found = false;
  bool in_literal = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') in_literal = !in_literal;
    if (in_literal || c != '{') continue;
    if (sql.substr(i, kSchemaPlaceholder.size()) != kSchemaPlaceholder) return false;
    i += kSchemaPlaceholder.size();
    if (i >= sql.size() || sql[i] != '.') return false;
    found = true;
  }
  return found && !in_literal;
}

}  // namespace autoblog::db
