#pragma once
// URLs of feed entries in one spelling per page, so that the same article reached through two
// feeds, two campaigns or two capitalisations of a host is stored once (the per-tenant unique
// index on inspiration_data->>'canonical_url').
// Canonical form (Boost.URL, RFC 3986 §6.2.2 normalisation first):
//   - http and https only; scheme and host lower case, one trailing dot of the host removed;
//   - the default port (80, 443) and any user:password@ removed; an empty path becomes "/";
//     percent-encoding normalised, dot segments removed;
//   - the fragment removed; tracking parameters removed from the query: utm_* (any case),
//     fbclid, gclid, mc_cid, mc_eid; the other parameters keep their order; an empty query
//     disappears.
// Pure functions: thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::content::trends {

// nullopt when `url` is not an absolute http(s) URL with a host.
std::optional<std::string> canonical_url(std::string_view url);

// `reference` (absolute or relative) resolved against the absolute `base` (RFC 3986 §5);
// nullopt when either does not parse.
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference);

// True for an absolute http:// or https:// URL with a host, at most 2048 bytes: what a brand may
// list as a feed.
bool is_feed_url(std::string_view url);

}  // namespace autoblog::content::trends
