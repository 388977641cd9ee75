#pragma once
// The HTTP side shared by the API adapters (WordPress, Ghost): requests through the one client
// bounded by the call's deadline, and one reading of the answers in the terms of
// remote_target.h, so both adapters fail the same way:
//   - 2xx, and 404/410 (the caller decides what "not there" means): returned;
//   - 401/403: TargetRefused with the adapter's sentence about its credentials;
//   - 3xx: TargetRefused naming where the site redirects (redirects are not followed: a POST
//     must not silently become a GET, and the tenant should configure the final address);
//   - 408, 409 (the resource changed meanwhile: a later attempt reads it again), 425, 429,
//     5xx: net::HttpError, transient (the job retries with backoff);
//   - any other 4xx: TargetRefused with the site's own `message` (WordPress) or
//     `errors[0].message` (Ghost), bounded and made printable;
//   - the egress policy refusing the site's address, or a URL curl cannot use: TargetRefused
//     (no retry changes the address); every other net::Error passes through as transient.
// Messages name the site's address and the method, never a header, a body or a secret.
// Pure helpers and a coroutine that only touches its arguments: thread-safe.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "net/http_client.h"
#include "publishing/remote_target.h"

namespace autoblog::publishing::remote {

// The largest answer read from a target: a post list with contents, or a media record.
inline constexpr std::size_t kMaxAnswerBytes = 4u << 20;

// How one adapter speaks of its site in messages.
struct SiteText {
  std::string_view name;          // "WordPress", "Ghost"
  std::string_view auth_refused;  // the sentence for 401/403
};

// A request that ends by call.deadline, follows no redirect, reads at most kMaxAnswerBytes and
// does not throw on a status (exchange() reads it). The egress policy is the client's default.
net::HttpRequest make_request(std::string method, std::string url, const RemoteCall& call);

// Sends `request` and classifies the answer as the header says.
boost::asio::awaitable<net::HttpResponse> exchange(RemoteCall& call, net::HttpRequest request,
                                                   const SiteText& site);

// The answer's body as JSON; TargetRefused when it is not JSON (the address does not lead to
// the site's API: a login page, a home page).
boost::json::value parse_json(const net::HttpResponse& response, const SiteText& site,
                              std::string_view what);

// `base` without trailing slashes ("https://blog.example/" and "https://blog.example" are one
// site).
std::string trim_slashes(std::string_view base);

// The first `max_chars` Unicode code points of `text` (whole characters, never a cut sequence).
std::string first_chars(std::string_view text, std::size_t max_chars);

// `name` with every character other than ASCII letters, digits, '-', '_' and '.' replaced by
// '-': safe in a multipart parameter and in a site's media URL.
std::string filename_chars(std::string_view name);

// A JSON value as text for ids: a string as is, an integer in decimal; "" otherwise.
std::string id_text(const boost::json::value* v);


}  // namespace autoblog::publishing::remote
