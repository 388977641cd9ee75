#include "http/framing.h"

#include <cctype>
#include <string>

#include "http/field_value.h"

namespace autoblog::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

}  // namespace

std::optional<FramingError> check_framing(const RequestHead& head) {
  // Host: exactly one in HTTP/1.1, at most one in HTTP/1.0 (the hosted blog routes by it).
  if (head.host_fields > 1) return FramingError{400, "more than one Host header"};
  if (head.version >= 11 && head.host_fields == 0)
    return FramingError{400, "HTTP/1.1 request without a Host header"};

  if (head.transfer_encoding.empty()) return std::nullopt;
  if (head.version < 11)
    return FramingError{400, "Transfer-Encoding is not allowed in an HTTP/1.0 request"};
  // A sender must not send both; a proxy in front may have used the other one.
  if (head.has_content_length)
    return FramingError{400, "both Transfer-Encoding and Content-Length are present"};
  // The codings, in order, across every Transfer-Encoding field.
  std::vector<std::string_view> codings;
  for (auto value : head.transfer_encoding) {
    while (true) {
      auto comma = value.find(',');
      auto coding = trim_ows(value.substr(0, comma));
      if (!coding.empty()) codings.push_back(coding);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  if (codings.empty()) return FramingError{400, "empty Transfer-Encoding"};
  if (!iequals(codings.back(), "chunked"))
    return FramingError{400, "the final transfer coding must be chunked"};
  if (codings.size() > 1)
    return FramingError{501, "transfer codings other than chunked are not supported"};
  return std::nullopt;
}

}  // namespace autoblog::http
