#include "http/message.h"

#include <stdexcept>

namespace autoblog::http {

namespace {
std::optional<std::string_view> find(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}
}  // namespace

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  return find(headers, lower_name);
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  return find(query, name);
}

const std::string& Request::param(std::string_view name) const {
  for (const auto& [k, v] : path_params)
    if (k == name) return v;
  throw std::logic_error("route has no path parameter named " + std::string(name));
}

}  // namespace autoblog::http
