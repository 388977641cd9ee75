#pragma once
// Checks of a request head that decide whether its body can be framed unambiguously, before a
// byte of the body is read (RFC 9112 §6.3 and §3.2). A request that fails is answered and the
// connection closed: guessing its length is how request smuggling works (bytes after a head
// taken as "no body" run as a second request).
// Pure functions on plain values; thread-safe.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace autoblog::http {

struct RequestHead {
  unsigned version = 11;                          // 10 or 11
  std::vector<std::string_view> transfer_encoding;  // every Transfer-Encoding field value
  bool has_content_length = false;
  std::size_t host_fields = 0;
};

struct FramingError {
  unsigned status;           // 400 or 501
  std::string_view message;  // static text
};

// nullopt: the body length is well defined (no body, Content-Length, or chunked last).
std::optional<FramingError> check_framing(const RequestHead& head);

}  // namespace autoblog::http
