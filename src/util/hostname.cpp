// Hostname validation; the rules and their reasons are in hostname.h.
#include "util/hostname.h"

#include <algorithm>

namespace autoblog::util {
namespace {

std::optional<std::string> Fail(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLdh(char c) {
  return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-';
}

}  // namespace

std::optional<std::string> canonical_hostname(std::string_view host, std::string* why) {
  if (std::any_of(host.begin(), host.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return Fail(why,
                "domain must be ASCII: send an internationalised domain as punycode (xn--...)");
  }
  if (host.find(':') != std::string_view::npos || host.find('[') != std::string_view::npos) {
    return Fail(why, "domain must be a hostname, not an IP address");
  }
  std::string h(host);
  for (auto& c : h) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!h.empty() && h.back() == '.') h.pop_back();  // the root label: "a.example." is "a.example"
  if (h.empty()) return Fail(why, "domain must not be empty (or just '.')");
  if (h.size() > kMaxHostnameBytes) return Fail(why, "domain is longer than 253 characters");

  std::size_t labels = 0;
  bool all_numeric_last = false;
  for (std::size_t start = 0;;) {
    const std::size_t dot = h.find('.', start);
    const std::size_t end = dot == std::string::npos ? h.size() : dot;
    const std::string_view label = std::string_view(h).substr(start, end - start);
    if (label.empty()) return Fail(why, "domain has an empty label ('..', or a leading '.')");
    if (label.size() > kMaxHostnameLabelBytes) {
      return Fail(why, "domain has a label longer than 63 characters");
    }
    if (!std::all_of(label.begin(), label.end(), IsLdh)) {
      return Fail(why, "domain labels may contain only letters, digits and '-'");
    }
    if (label.front() == '-' || label.back() == '-') {
      return Fail(why, "domain labels must not start or end with '-'");
    }
    ++labels;
    all_numeric_last = std::all_of(label.begin(), label.end(), IsDigit);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (all_numeric_last) return Fail(why, "domain must be a hostname, not an IP address");
  if (labels < 2) return Fail(why, "domain must have at least two labels (e.g. blog.example)");
  return h;
}

}  // namespace autoblog::util
