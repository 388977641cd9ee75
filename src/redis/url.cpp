// parse_redis_url, on Boost.URL: RFC 3986 parsing and percent-decoding come from the library;
// this file only adds what a redis:// URL means (defaults, the database path, what we refuse).
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

#include "redis/client.h"

namespace autoblog::redis {

namespace {

// Messages never quote the URL: it may carry a password.
[[noreturn]] void bad_url(const std::string& why) {
  throw std::invalid_argument("invalid redis URL: " + why);
}

// A non-empty run of decimal digits no larger than `max`.
bool parse_number(std::string_view s, long max, long& out) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out <= max;
}

}  // namespace

RedisUrl parse_redis_url(std::string_view text) {
  if (text.starts_with("rediss://")) bad_url("rediss:// (TLS) is not supported");
  if (!text.starts_with("redis://")) bad_url("it must start with redis://");
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) bad_url("it is not a well-formed URL (reserved characters must be %-encoded)");
  const boost::urls::url_view& u = *parsed;
  if (u.has_query() || u.has_fragment()) bad_url("query strings and fragments are not supported");

  RedisUrl out;
  if (u.has_userinfo()) {
    if (!u.has_password()) bad_url("credentials must be [user]:password@");
    out.user = u.user();
    out.password = u.password();
  }
  if (u.host_type() == boost::urls::host_type::ipv6) {
    out.host = u.host_ipv6_address().to_string();
  } else {
    out.host = u.host_address();
  }
  if (out.host.empty()) bad_url("missing host");
  for (char c : out.host) {
    auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f) bad_url("invalid character in the host");
  }
  if (u.has_port()) {
    long p = 0;
    if (!parse_number(u.port(), 65535, p) || p == 0) bad_url("invalid port");
    out.port = static_cast<std::uint16_t>(p);
  }
  std::string_view path = u.encoded_path();
  if (path.starts_with('/')) path.remove_prefix(1);
  if (!path.empty()) {
    long db = 0;
    if (!parse_number(path, 1L << 30, db)) bad_url("the path must be a database number");
    out.db = static_cast<int>(db);
  }
  return out;
}

}  // namespace autoblog::redis
