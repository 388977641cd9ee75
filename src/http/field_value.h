#pragma once
// Field values of HTTP headers. Pure functions; thread-safe.
#include <string_view>

namespace autoblog::http {

// `s` without the optional whitespace (spaces and horizontal tabs, RFC 9110 §5.6.3) around it.
inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace autoblog::http
