#pragma once
// The shape of a brand's publishing_config, checked when the brand is stored (PUT /v1/brand), so
// a publication never meets a target it cannot use:
//   {"auto_approve": bool?, "targets": [target, ...]?}   (at most kMaxTargets targets)
//   {"type": "hosted"}
//   {"type": "webhook", "url": endpoint, "secret": "whsec_…", "previous_secret": "whsec_…"?}
//   {"type": "wordpress", ...} and {"type": "ghost", ...}: see their adapters.
// Keys the platform writes itself (a webhook's "disabled" after a 410) are accepted back, so a
// GET → PUT round trip passes. Pure functions: thread-safe.
#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string_view>

namespace autoblog::publishing {

inline constexpr std::size_t kMaxTargets = 10;

// Throws content::InvalidInput naming the offending field ("publishing_config.targets[1].url
// ..."). null is valid (the hosted blog alone).
void check_publishing_config(const boost::json::value& publishing_config);

// An absolute http(s) URL with a host, no user:password@ (credentials in URLs end up in logs)
// and no fragment, at most 2048 bytes: where AutoBlog may send a tenant's posts.
bool is_endpoint_url(std::string_view url);

}  // namespace autoblog::publishing
