#include "content/trends/canonical_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace autoblog::content::trends {

namespace urls = boost::urls;

namespace {

bool tracking_param(std::string_view key) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
  };
  const std::string k = lower(key);
  return k.rfind("utm_", 0) == 0 || k == "fbclid" || k == "gclid" || k == "mc_cid" || k == "mc_eid";
}

bool web_url(const urls::url_view& u) {
  return (u.scheme_id() == urls::scheme::http || u.scheme_id() == urls::scheme::https) &&
         u.has_authority() && !u.encoded_host().empty();
}

}  // namespace

std::optional<std::string> canonical_url(std::string_view text) {
  auto parsed = urls::parse_uri(text);
  if (!parsed || !web_url(*parsed)) return std::nullopt;
  urls::url u(*parsed);
  u.normalize();  // scheme and host case, percent-encoding, dot segments
  u.remove_fragment();
  u.remove_userinfo();
  const bool https = u.scheme_id() == urls::scheme::https;
  if (u.has_port() && (u.port().empty() || u.port_number() == (https ? 443 : 80))) u.remove_port();
  std::string host(u.encoded_host());
  if (host.size() > 1 && host.back() == '.') {
    host.pop_back();
    u.set_encoded_host(host);
  }
  // set_path_absolute, not set_encoded_path("/"): Boost.URL 1.81 writes the latter as "/./".
  if (u.encoded_path().empty()) u.set_path_absolute(true);
  if (u.has_query()) {
    auto params = u.params();
    for (auto it = params.begin(); it != params.end();) {
      if (tracking_param((*it).key))
        it = params.erase(it);
      else
        ++it;
    }
    if (u.encoded_query().empty()) u.remove_query();
  }
  return std::string(u.buffer());
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference) {
  auto b = urls::parse_uri(base);
  auto r = urls::parse_uri_reference(reference);
  if (!b || !r) return std::nullopt;
  urls::url out;
  if (urls::resolve(*b, *r, out).has_error()) return std::nullopt;
  return std::string(out.buffer());
}

bool is_feed_url(std::string_view url) {
  if (url.size() > 2048) return false;
  auto parsed = urls::parse_uri(url);
  return parsed && web_url(*parsed);
}

}  // namespace autoblog::content::trends
