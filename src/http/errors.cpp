#include "http/errors.h"

namespace autoblog::http {

// Out of line, with the strings built once: constructing them from literals inline sets off
// GCC 12's false -Warray-bounds/-Wstringop-overread inside libstdc++ (GCC bug 105651).
Unauthorized::Unauthorized(const std::string& m, bool token_given)
    : ApiError(401, "unauthorized", m) {
  static const std::string kName = "WWW-Authenticate";
  static const std::string kBare = "Bearer";
  static const std::string kInvalid = "Bearer error=\"invalid_token\"";
  with_header(kName, token_given ? kInvalid : kBare);
}

}  // namespace autoblog::http
