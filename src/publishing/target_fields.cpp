// Field rules of remote target settings; see target_fields.h.
#include "publishing/target_fields.h"

#include <boost/url/parse.hpp>

#include "publishing/target_config.h"

namespace autoblog::publishing::target_fields {

namespace json = boost::json;

std::optional<std::string> required_text_problem(const json::object& config, std::string_view key,
                                                 std::size_t max_bytes) {
  const json::value* v = config.if_contains(key);
  const std::string name(key);
  if (v == nullptr || !v->is_string() || v->get_string().empty())
    return name + " is required (a non-empty string)";
  const std::string_view s = v->get_string();
  if (s.size() > max_bytes) return name + " is longer than " + std::to_string(max_bytes) + " bytes";
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return name + " contains a control character";
  }
  return std::nullopt;
}

std::optional<std::string> site_url_problem(const json::object& config, std::string_view key) {
  const std::string name(key);
  const json::value* v = config.if_contains(key);
  if (v == nullptr || !v->is_string())
    return name + " is required (the site's address, e.g. https://blog.example)";
  const std::string_view url = v->get_string();
  if (!is_endpoint_url(url)) {
    return name +
           " must be an absolute http:// or https:// URL with a host, without user name, password "
           "or fragment (credentials have their own fields)";
  }
  // The site's address is a base the API paths are appended to: a query would end up in the
  // middle of them.
  if (boost::urls::parse_uri(url)->has_query()) return name + " must not contain a query (?...)";
  return std::nullopt;
}

std::optional<std::string> optional_choice_problem(
    const json::object& config, std::string_view key,
    std::initializer_list<std::string_view> allowed) {
  const json::value* v = config.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) {
    for (const std::string_view a : allowed)
      if (v->get_string() == a) return std::nullopt;
  }
  std::string list;
  for (const std::string_view a : allowed) {
    if (!list.empty()) list += " or ";
    list += "\"" + std::string(a) + "\"";
  }
  return std::string(key) + " must be " + list;
}

}  // namespace autoblog::publishing::target_fields
