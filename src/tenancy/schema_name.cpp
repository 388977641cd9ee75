#include "tenancy/schema_name.h"

#include <stdexcept>

#include "db/schema_identifier.h"
#include "util/random.h"

namespace autoblog::tenancy {

std::string schema_name_for(std::string_view tenant_id) {
  if (!util::is_uuid(tenant_id)) throw std::invalid_argument("tenant id is not a UUID");
  std::string name = "tenant_" + util::normalize_uuid(tenant_id);
  for (auto& c : name)
    if (c == '-') c = '_';
  return name;
}

bool is_valid_schema_name(std::string_view name) { return db::is_valid_tenant_schema_name(name); }

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '\0') throw std::invalid_argument("identifier contains a NUL byte");
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace autoblog::tenancy
