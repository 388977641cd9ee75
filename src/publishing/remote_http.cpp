// Requests and answer classification shared by the WordPress and Ghost adapters; see
// remote_http.h for the rules.
#include "publishing/remote_http.h"

#include <boost/json/parse.hpp>
#include <utility>

#include "content/content_json.h"
#include "util/text.h"
#include "util/utf8.h"

namespace autoblog::publishing::remote {

namespace json = boost::json;

namespace {

// Longest message of the site's quoted in an error (bytes, cut at a character boundary).
constexpr std::size_t kMaxQuotedMessage = 300;

// The error text of a WordPress ({"code", "message"}) or Ghost ({"errors": [{"message",
// "context"}]}) error document; "" when the body is neither.
std::string api_message(std::string_view body) {
  json::error_code ec;
  const json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return {};
  std::string message = content::string_member(doc, "message");
  if (message.empty()) {
    const json::value* errors = doc.as_object().if_contains("errors");
    if (errors != nullptr && errors->is_array() && !errors->as_array().empty()) {
      const json::value& first = errors->as_array().front();
      message = content::string_member(first, "message");
      const std::string context = content::string_member(first, "context");
      if (!context.empty()) message += (message.empty() ? "" : ": ") + context;
    }
  }
  return message.empty() ? std::string() : util::printable(message, kMaxQuotedMessage);
}

// "POST https://blog.example/wp-json/wp/v2/posts" without the query (which may hold a slug,
// never a secret, but is noise in a sentence for the tenant).
std::string what_of(const net::HttpRequest& request) {
  std::string_view url = request.url;
  url = url.substr(0, url.find('?'));
  return request.method + " " + util::printable(url, 300);
}

}  // namespace

net::HttpRequest make_request(std::string method, std::string url, const RemoteCall& call) {
  net::HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.options.deadline = call.deadline;
  request.options.max_response_bytes = kMaxAnswerBytes;
  request.options.max_redirects = 0;
  request.options.throw_on_http_error = false;
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

boost::asio::awaitable<net::HttpResponse> exchange(RemoteCall& call, net::HttpRequest request,
                                                   const SiteText& site) {
  const std::string what = what_of(request);
  net::HttpResponse response;
  try {
    response = co_await call.http.send(std::move(request));
  } catch (const net::EgressRefused&) {
    throw TargetRefused(std::string(site.name) + " site address is not allowed: " + what +
                        " leads to a private or internal network address");
  } catch (const net::InvalidRequest&) {
    throw TargetRefused(std::string(site.name) + " site address cannot be used: " + what);
  }
  const long status = response.status;
  if ((status >= 200 && status < 300) || status == 404 || status == 410) co_return response;
  if (status == 401 || status == 403) throw TargetRefused(std::string(site.auth_refused));
  if (status >= 300 && status < 400) {
    throw TargetRefused(std::string(site.name) + " answered " + what + " with a redirect to " +
                        util::printable(response.header("location"), 300) +
                        "; use the address it redirects to in the target's settings");
  }
  if (status == 408 || status == 409 || status == 425 || status == 429 || status >= 500) {
    throw net::HttpError(std::string(site.name) + " answered " + what + " with " +
                             std::to_string(status) + ", will retry",
                         status, util::printable(response.body, 1000));
  }
  const std::string message = api_message(response.body);
  throw TargetRefused(std::string(site.name) + " refused " + what + " (" + std::to_string(status) +
                      ")" + (message.empty() ? std::string() : ": " + message));
}

json::value parse_json(const net::HttpResponse& response, const SiteText& site,
                       std::string_view what) {
  json::error_code ec;
  json::value doc = json::parse(response.body, ec);
  if (ec) {
    throw TargetRefused(std::string(site.name) + " did not answer " + std::string(what) +
                        " with JSON; check that the address leads to the site's API");
  }
  return doc;
}

std::string filename_chars(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) c = '-';
  }
  return out;
}

std::string trim_slashes(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

std::string first_chars(std::string_view text, std::size_t max_chars) {
  std::size_t i = 0;
  for (std::size_t n = 0; i < text.size() && n < max_chars; ++n) {
    const std::size_t len = util::utf8_sequence_length(text, i);
    i += len == 0 ? 1 : len;  // a malformed byte counts as one character
  }
  return std::string(text.substr(0, i));
}

std::string id_text(const json::value* v) {
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

}  // namespace autoblog::publishing::remote
