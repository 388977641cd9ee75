#pragma once
// The site a request asks for, from its Host header: lower case, the port and one trailing dot
// removed, then held to the same hostname rules as a tenant's domain (util/hostname.h), so
// "Blog.Example.com.:8080" and "blog.example.com" name one site. Pure: thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::hosted {

// nullopt for a missing, malformed or IP-literal host (never a tenant's site).
std::optional<std::string> site_host(std::string_view host_header);

}  // namespace autoblog::hosted
