#pragma once
// Tenant schema names are generated from the tenant id, validated against
// ^tenant_[0-9a-f_]{36}$ and always quoted; nothing a user sends becomes part of one.
#include <string>
#include <string_view>

namespace autoblog::tenancy {

// "tenant_" + the UUID with '-' replaced by '_'. Throws std::invalid_argument for a non-UUID.
std::string schema_name_for(std::string_view tenant_id);
bool is_valid_schema_name(std::string_view name);
// Double-quoted SQL identifier (embedded quotes doubled). Throws on NUL bytes.
std::string quote_identifier(std::string_view name);

}  // namespace autoblog::tenancy
