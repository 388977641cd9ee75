#pragma once
// EgressPolicy: which peer addresses outbound HTTP may connect to. HttpClient asks it for every
// address curl is about to dial (after DNS, before connect(), for redirects too), so a hostname
// that resolves to an internal address is refused as surely as a literal one. This is the SSRF
// defence for tenant-supplied URLs (feeds, webhooks, publishing targets).
//
// The default refuses loopback (127/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7),
// carrier-grade NAT (100.64/10), link-local (169.254/16, fe80::/10, which includes cloud metadata
// endpoints), unspecified (0/8, ::), multicast and broadcast addresses, and IPv4-mapped IPv6
// forms of all of those; allow_private lets everything through (AUTOBLOG_EGRESS_ALLOW_PRIVATE=1:
// tests and closed networks). Operator-configured endpoints (S3) are trusted and bypass it.
// A plain value: copyable, thread-safe to call concurrently.
#include <boost/asio/ip/address.hpp>

namespace autoblog::net {

struct EgressPolicy {
  bool allow_private = false;

  // True when a connection to `address` may be opened.
  bool operator()(const boost::asio::ip::address& address) const;

  // True for the address ranges listed above (the ones refused unless allow_private).
  static bool is_internal(const boost::asio::ip::address& address);
};

}  // namespace autoblog::net
