// parse_redis_url, on Boost.URL: RFC 3986 parsing and percent-decoding come from the library;
// this file only adds what a redis:// or unix:// URL means (defaults, the database path, what we
// refuse).
#include <boost/url/params_view.hpp>
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

// User and password, from either scheme's authority.
void parse_credentials(const boost::urls::url_view& u, RedisUrl& out) {
  if (!u.has_userinfo()) return;
  if (!u.has_password()) bad_url("credentials must be [user]:password@");
  out.user = u.user();
  out.password = u.password();
}

int parse_db(std::string_view text) {
  long db = 0;
  if (!parse_number(text, 1L << 30, db)) bad_url("the database must be a number");
  return static_cast<int>(db);
}

// unix://[[user]:password@]/path/to/redis.sock[?db=N]: the path is the socket's, so the
// database moves to the query (as redis-py and go-redis spell it).
RedisUrl parse_unix_url(const boost::urls::url_view& u) {
  RedisUrl out;
  parse_credentials(u, out);
  if (!u.host_address().empty() || u.has_port()) bad_url("a unix:// URL has no host or port");
  out.socket_path = u.path();
  if (!out.socket_path.starts_with('/')) bad_url("the socket path must be absolute");
  if (out.socket_path.size() > 107) bad_url("the socket path is too long");  // sun_path
  for (char c : out.socket_path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) bad_url("invalid character in the path");
  }
  if (u.has_fragment()) bad_url("fragments are not supported");
  if (u.has_query()) {
    for (const auto& param : u.params()) {
      if (param.key != "db" || !param.has_value) bad_url("the only query parameter is db=N");
      out.db = parse_db(param.value);
    }
  }
  return out;
}

}  // namespace

std::string describe(const RedisUrl& url) {
  if (!url.socket_path.empty()) return "unix:" + url.socket_path;
  return url.host + ":" + std::to_string(url.port);
}

RedisUrl parse_redis_url(std::string_view text) {
  if (text.starts_with("rediss://")) bad_url("rediss:// (TLS) is not supported");
  const bool unix_socket = text.starts_with("unix://");
  if (!unix_socket && !text.starts_with("redis://"))
    bad_url("it must start with redis:// or unix://");
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) bad_url("it is not a well-formed URL (reserved characters must be %-encoded)");
  const boost::urls::url_view& u = *parsed;
  if (unix_socket) return parse_unix_url(u);
  if (u.has_query() || u.has_fragment()) bad_url("query strings and fragments are not supported");

  RedisUrl out;
  parse_credentials(u, out);
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
  if (!path.empty()) out.db = parse_db(path);
  return out;
}

}  // namespace autoblog::redis
