// The Ghost Admin API adapter; see ghost_target.h for the exchange and why the marker lives in
// the footer code injection.
#include "publishing/ghost_target.h"

#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <chrono>
#include <utility>

#include "auth/jwt.h"
#include "content/content_json.h"
#include "content/markdown.h"
#include "publishing/publication_marker.h"
#include "publishing/remote_http.h"
#include "publishing/target_fields.h"
#include "util/crypto.h"
#include "util/random.h"

namespace autoblog::publishing {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::int64_t kTokenLifetimeSeconds = 300;  // Ghost accepts at most five minutes
constexpr std::size_t kMaxExcerptChars = 300;        // Ghost's limit on custom_excerpt
constexpr std::string_view kAcceptVersion = "v5.0";

constexpr remote::SiteText kText{
    "Ghost",
    "Ghost refused the Admin API key (check that the key belongs to an active custom "
    "integration of this site)"};

bool all_hex(std::string_view s) {
  for (const char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Ghost's keys: a 24-hex-digit id (a MongoDB-style object id), ':', a 64-hex-digit secret.
bool is_admin_key(std::string_view key) {
  return key.size() == 24 + 1 + 64 && key[24] == ':' && all_hex(key.substr(0, 24)) &&
         all_hex(key.substr(25));
}

struct Site {
  std::string api;  // https://ghost.example/ghost/api/admin
  std::string admin_key;
  std::string status;
};

Site read_site(const json::object& config) {
  if (auto problem = check_ghost_config(config))
    throw TargetRefused("Ghost target settings: " + *problem);
  Site site;
  site.api = remote::trim_slashes(content::string_member(config, "admin_url")) + "/ghost/api/admin";
  site.admin_key = content::string_member(config, "admin_key");
  site.status = content::string_member(config, "status");
  if (site.status.empty()) site.status = "published";
  return site;
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A fresh token per request: a retry an hour later must not carry an expired one.
net::HttpRequest ghost_request(std::string method, const std::string& path_and_query,
                               const Site& site, const RemoteCall& call) {
  net::HttpRequest r = remote::make_request(std::move(method), site.api + path_and_query, call);
  r.headers.emplace_back("Authorization", "Ghost " + ghost_admin_token(site.admin_key, now_unix()));
  r.headers.emplace_back("Accept-Version", std::string(kAcceptVersion));
  return r;
}

net::HttpRequest ghost_json_request(std::string method, const std::string& path_and_query,
                                    json::object post, const Site& site, const RemoteCall& call) {
  net::HttpRequest r = ghost_request(std::move(method), path_and_query, site, call);
  r.headers.emplace_back("Content-Type", "application/json");
  json::object body;
  body["posts"] = json::array{std::move(post)};
  r.body = json::serialize(body);
  return r;
}

// Ghost ids are 24 hex digits; a recorded id is checked before it goes into a path.
std::string checked_id(const std::string& id) {
  if (id.empty() || id.size() > 64 || !all_hex(id))
    throw TargetRefused("the recorded Ghost post id is not a Ghost id");
  return id;
}

// posts[0] of a Ghost answer.
json::object first_post(const net::HttpResponse& response, const char* what) {
  const json::value doc = remote::parse_json(response, kText, what);
  const json::value* posts = doc.is_object() ? doc.as_object().if_contains("posts") : nullptr;
  if (posts == nullptr || !posts->is_array() || posts->as_array().empty() ||
      !posts->as_array().front().is_object()) {
    throw TargetRefused(std::string("Ghost answered ") + what + " without a post");
  }
  return posts->as_array().front().as_object();
}

TargetOutcome outcome_of(const json::object& post, const char* what) {
  TargetOutcome out;
  out.remote_id = remote::id_text(post.if_contains("id"));
  if (out.remote_id->empty())
    throw TargetRefused(std::string("Ghost answered ") + what + " without a post id");
  const std::string url = content::string_member(post, "url");
  if (!url.empty()) out.url = url;
  out.ok = true;
  return out;
}

// title, html, custom_excerpt, status: what publish sets on create and on update.
json::object post_fields(const Post& post, const Site& site) {
  json::object fields;
  fields["title"] = post.title;
  fields["html"] = content::markdown_to_html(post.body_markdown);
  fields["custom_excerpt"] = remote::first_chars(post.meta_description, kMaxExcerptChars);
  fields["status"] = site.status;
  return fields;
}

struct Existing {
  std::string id;
  std::string url;
  std::string updated_at;
};

// What /posts/slug/{slug}/ holds: nothing, this publication's post (it carries the marker), or
// someone else's post.
struct SlugLookup {
  std::optional<Existing> ours;
  bool taken_by_another = false;
};

asio::awaitable<SlugLookup> look_up_slug(const Post& post, const Site& site, RemoteCall& call) {
  const std::string slug = boost::urls::encode(post.slug, boost::urls::unreserved_chars);
  auto response = co_await remote::exchange(
      call, ghost_request("GET", "/posts/slug/" + slug + "/", site, call), kText);
  SlugLookup result;
  if (response.status == 404 || response.status == 410) co_return result;
  const json::object found = first_post(response, "the lookup by slug");
  if (content::string_member(found, "codeinjection_foot").find(marker_comment(call.marker)) ==
      std::string::npos) {
    result.taken_by_another = true;
    co_return result;
  }
  result.ours =
      Existing{remote::id_text(found.if_contains("id")), content::string_member(found, "url"),
               content::string_member(found, "updated_at")};
  co_return result;
}

asio::awaitable<TargetOutcome> update(const std::string& id, std::string updated_at,
                                      json::object fields, const Site& site, RemoteCall& call) {
  const std::string path = "/posts/" + checked_id(id) + "/";
  if (updated_at.empty()) {
    auto current = co_await remote::exchange(call, ghost_request("GET", path, site, call), kText);
    if (current.status == 404 || current.status == 410) {
      throw TargetRefused("Ghost post " + id +
                          " no longer exists; AutoBlog does not create a second one");
    }
    updated_at = content::string_member(first_post(current, "the post"), "updated_at");
  }
  fields["updated_at"] = updated_at;
  auto response = co_await remote::exchange(
      call, ghost_json_request("PUT", path + "?source=html", std::move(fields), site, call), kText);
  if (response.status == 404 || response.status == 410)
    throw TargetRefused("Ghost post " + id +
                        " no longer exists; AutoBlog does not create a second one");
  co_return outcome_of(first_post(response, "the update"), "the update");
}

void append_part_header(std::string& body, const std::string& boundary, std::string_view name,
                        std::string_view filename = {}, std::string_view content_type = {}) {
  body +=
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"";
  if (!filename.empty()) body += "; filename=\"" + std::string(filename) + "\"";
  body += "\r\n";
  if (!content_type.empty()) body += "Content-Type: " + std::string(content_type) + "\r\n";
  body += "\r\n";
}

// A file name safe inside a quoted multipart parameter.
std::string clean_filename(std::string_view name) {
  std::string out = remote::filename_chars(name.substr(0, 100));
  return out.empty() ? "image" : out;
}

asio::awaitable<std::string> upload_image(const PostImage& image, const Site& site,
                                          RemoteCall& call) {
  // 128 random bits: the boundary cannot occur in the image by chance.
  const std::string boundary = "autoblog-" + util::random_hex(16);
  const std::string filename = clean_filename(image.filename);
  std::string body;
  append_part_header(body, boundary, "file", filename,
                     image.content_type.empty() ? "application/octet-stream" : image.content_type);
  body += image.bytes;
  body += "\r\n";
  append_part_header(body, boundary, "purpose");
  body += "image\r\n";
  append_part_header(body, boundary, "ref");
  body += filename + "\r\n--" + boundary + "--\r\n";

  net::HttpRequest r = ghost_request("POST", "/images/upload/", site, call);
  r.headers.emplace_back("Content-Type", "multipart/form-data; boundary=" + boundary);
  r.body = std::move(body);
  auto response = co_await remote::exchange(call, std::move(r), kText);
  if (response.status == 404 || response.status == 410)
    throw TargetRefused("Ghost has no image upload at " + site.api + "/images/upload/");
  const json::value doc = remote::parse_json(response, kText, "the image upload");
  const json::value* images = doc.is_object() ? doc.as_object().if_contains("images") : nullptr;
  std::string url;
  if (images != nullptr && images->is_array() && !images->as_array().empty())
    url = content::string_member(images->as_array().front(), "url");
  if (url.empty()) throw TargetRefused("Ghost answered the image upload without a URL");
  co_return url;
}

}  // namespace

std::string ghost_admin_token(std::string_view admin_key, std::int64_t now) {
  if (!is_admin_key(admin_key)) throw TargetRefused("the Ghost Admin API key is not <id>:<secret>");
  const std::optional<std::string> secret = util::from_hex(admin_key.substr(25));
  json::object header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", admin_key.substr(0, 24)}};
  json::object claims{{"iat", now}, {"exp", now + kTokenLifetimeSeconds}, {"aud", "/admin/"}};
  return auth::sign_hs256(json::serialize(header), json::serialize(claims), *secret);
}

asio::awaitable<TargetOutcome> GhostTarget::publish(const Post& post, const RemoteRecord& prior,
                                                    RemoteCall& call) {
  const Site site = read_site(call.config);
  json::object fields = post_fields(post, site);
  if (prior.remote_id) {
    const std::string unknown_updated_at;  // update() reads it first (no braced {} in co_await)
    co_return co_await update(*prior.remote_id, unknown_updated_at, std::move(fields), site, call);
  }

  const SlugLookup lookup = co_await look_up_slug(post, site, call);
  if (lookup.ours) {
    const Existing& existing = *lookup.ours;
    // Records are built before co_await: GCC 12 destroys a braced temporary inside it twice.
    const RemoteRecord record{existing.id, existing.url};
    co_await call.remember(record);
    co_return co_await update(existing.id, existing.updated_at, std::move(fields), site, call);
  }
  if (lookup.taken_by_another) {
    throw TargetRefused("Ghost already has a post with the slug \"" + post.slug +
                        "\" that this publication did not create; rename or remove that post "
                        "(or change the article's slug) and publish again");
  }

  const std::optional<PostImage> image = co_await call.load_image();
  if (image) {
    const std::string url = co_await upload_image(*image, site, call);
    fields["feature_image"] = url;
  }
  fields["slug"] = post.slug;
  fields["codeinjection_foot"] = marker_comment(call.marker);
  auto response = co_await remote::exchange(
      call, ghost_json_request("POST", "/posts/?source=html", std::move(fields), site, call),
      kText);
  if (response.status == 404 || response.status == 410)
    throw TargetRefused("Ghost has no posts route at " + site.api + "/posts/");
  TargetOutcome out = outcome_of(first_post(response, "the new post"), "the new post");
  const RemoteRecord record{out.remote_id, out.url};
  co_await call.remember(record);
  co_return out;
}

asio::awaitable<TargetOutcome> GhostTarget::unpublish(const Post& post, const RemoteRecord& prior,
                                                      RemoteCall& call) {
  const Site site = read_site(call.config);
  std::optional<std::string> id = prior.remote_id;
  if (!id) {
    // Nothing recorded: an attempt may still have created the post before its answer was lost.
    // A post under the slug without our marker is someone else's: not ours to remove.
    const SlugLookup lookup = co_await look_up_slug(post, site, call);
    if (lookup.ours) id = lookup.ours->id;
  }
  TargetOutcome out;
  out.ok = true;
  if (!id) co_return out;
  out.remote_id = *id;
  co_await remote::exchange(
      call, ghost_request("DELETE", "/posts/" + checked_id(*id) + "/", site, call), kText);
  co_return out;  // 204, or 404: already gone
}

std::optional<std::string> check_ghost_config(const json::object& config) {
  if (auto p = target_fields::site_url_problem(config, "admin_url")) return p;
  const json::value* key = config.if_contains("admin_key");
  if (key == nullptr || !key->is_string() || !is_admin_key(key->get_string())) {
    return std::string(
        "admin_key must be the Admin API key as Ghost shows it: 24 hex digits, ':', 64 hex digits");
  }
  return target_fields::optional_choice_problem(config, "status", {"published", "draft"});
}

}  // namespace autoblog::publishing
