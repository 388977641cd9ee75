#include "hosted/host.h"

#include "util/hostname.h"

namespace autoblog::hosted {

std::optional<std::string> site_host(std::string_view h) {
  if (h.empty() || h.front() == '[') return std::nullopt;  // IPv6 literal: no site
  if (auto colon = h.rfind(':'); colon != std::string_view::npos) {
    auto port = h.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
      return std::nullopt;
    h = h.substr(0, colon);
  }
  // An IPv4 literal (what API clients often send) is never a site: answered here, on every such
  // request, without canonical_hostname's copy and label walk, which rejects it as well.
  auto last = h.ends_with('.') ? h.substr(0, h.size() - 1) : h;
  last = last.substr(last.rfind('.') + 1);
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string_view::npos)
    return std::nullopt;
  return util::canonical_hostname(h, nullptr);
}

}  // namespace autoblog::hosted
