#include "db/schema_identifier.h"

#include <stdexcept>

namespace autoblog::db {

bool is_valid_tenant_schema_name(std::string_view name) {
  constexpr std::string_view prefix = "tenant_";
  if (name.size() != prefix.size() + 36 || !name.starts_with(prefix)) return false;
  for (char c : name.substr(prefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '_')) return false;
  return true;
}

SchemaIdentifier SchemaIdentifier::tenant(std::string_view name) {
  if (!is_valid_tenant_schema_name(name))
    throw std::invalid_argument("not a tenant schema name");
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted += '"';
  quoted += name;
  quoted += '"';
  return SchemaIdentifier(std::move(quoted));
}

std::string render_tenant_sql(std::string_view sql_template, const SchemaIdentifier& schema) {
  std::string out;
  out.reserve(sql_template.size() + 4 * schema.quoted().size());
  for (;;) {
    auto at = sql_template.find(kSchemaPlaceholder);
    if (at == std::string_view::npos) break;
    out += sql_template.substr(0, at);
    out += schema.quoted();
    sql_template.remove_prefix(at + kSchemaPlaceholder.size());
  }
  out += sql_template;
  return out;
}

}  // namespace autoblog::db
