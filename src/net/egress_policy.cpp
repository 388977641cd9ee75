// Address classification for the egress policy; see egress_policy.h.
#include "net/egress_policy.h"

#include <cstdint>

namespace autoblog::net {
namespace {

bool InternalV4(const boost::asio::ip::address_v4& a) {
  const std::uint32_t v = a.to_uint();
  const auto in = [v](std::uint32_t net, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (v & mask) == net;
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network", includes unspecified
         in(0x7F000000, 8) ||   // loopback
         in(0x0A000000, 8) ||   // RFC 1918
         in(0xAC100000, 12) ||  // RFC 1918
         in(0xC0A80000, 16) ||  // RFC 1918
         in(0x64400000, 10) ||  // RFC 6598 carrier-grade NAT
         in(0xA9FE0000, 16) ||  // link-local (169.254.169.254: cloud metadata)
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved, includes broadcast
}

}  // namespace

bool EgressPolicy::is_internal(const boost::asio::ip::address& address) {
  if (address.is_v4()) return InternalV4(address.to_v4());
  const boost::asio::ip::address_v6 a = address.to_v6();
  if (a.is_v4_mapped()) {
    return InternalV4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a));
  }
  const auto bytes = a.to_bytes();
  return a.is_unspecified() || a.is_loopback() ||
         (bytes[0] & 0xFE) == 0xFC ||                        // fc00::/7 unique local
         (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80) ||  // fe80::/10 link-local
         (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0xC0) ||  // fec0::/10 old site-local
         bytes[0] == 0xFF;                                   // multicast
}

bool EgressPolicy::operator()(const boost::asio::ip::address& address) const {
  return allow_private || !is_internal(address);
}

}  // namespace autoblog::net
