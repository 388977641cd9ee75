#pragma once
// The HTTP methods AutoBlog knows. Anything else a client sends is answered 501 and recorded in
// metrics as "other": a method is client input, and a label value per made-up method would let
// anonymous clients grow the metrics registry without bound. Pure; thread-safe.
#include <string_view>

namespace autoblog::util {

inline bool is_known_http_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "PATCH" ||
         m == "DELETE" || m == "OPTIONS";
}

// The method as a metric label value: itself when known, else "other".
inline std::string_view http_method_label(std::string_view m) {
  return is_known_http_method(m) ? m : std::string_view("other");
}

}  // namespace autoblog::util
