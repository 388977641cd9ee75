// The WordPress REST API adapter; see wordpress_target.h for the exchange and why the marker
// lives in the content.
#include "publishing/wordpress_target.h"

#include <boost/json/serialize.hpp>
#include <utility>

#include "content/content_json.h"
#include "content/markdown.h"
#include "publishing/publication_marker.h"
#include "publishing/remote_http.h"
#include "publishing/target_fields.h"
#include "util/base64.h"
#include "util/utf8.h"

namespace autoblog::publishing {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

// WordPress user logins are at most 60 characters; application passwords are 24 letters and
// digits, shown in groups of four (spaces are accepted as shown).
constexpr std::size_t kMaxUsername = 60;
constexpr std::size_t kMaxPassword = 200;

struct Site {
  std::string api;  // https://blog.example/wp-json/wp/v2
  std::string authorization;
  std::string status;
  std::string auth_refused;
  remote::SiteText text() const { return {"WordPress", auth_refused}; }
};

Site read_site(const json::object& config) {
  if (auto problem = check_wordpress_config(config))
    throw TargetRefused("WordPress target settings: " + *problem);
  Site site;
  site.api = remote::trim_slashes(content::string_member(config, "site")) + "/wp-json/wp/v2";
  const std::string user = content::string_member(config, "username");
  site.authorization =
      "Basic " +
      util::base64_encode(user + ":" + content::string_member(config, "application_password"));
  site.status = content::string_member(config, "status");
  if (site.status.empty()) site.status = "publish";
  site.auth_refused = "WordPress refused the application password for user " +
                      util::printable(user, kMaxUsername) +
                      " (check the user, the password and that the user may publish posts)";
  return site;
}

net::HttpRequest wp_request(std::string method, std::string url, const Site& site,
                            const RemoteCall& call) {
  net::HttpRequest r = remote::make_request(std::move(method), std::move(url), call);
  r.headers.emplace_back("Authorization", site.authorization);
  return r;
}

net::HttpRequest wp_json_request(std::string method, std::string url, const json::object& body,
                                 const Site& site, const RemoteCall& call) {
  net::HttpRequest r = wp_request(std::move(method), std::move(url), site, call);
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = json::serialize(body);
  return r;
}

// WordPress ids are positive integers; a recorded id is checked before it goes into a path.
std::string checked_id(const std::string& id) {
  bool digits = !id.empty() && id.size() <= 20;
  for (const char c : id) digits = digits && c >= '0' && c <= '9';
  if (!digits) throw TargetRefused("the recorded WordPress post id is not a number");
  return id;
}

// A 404 from a collection route: the address does not lead to a WordPress REST API.
TargetRefused no_api(const Site& site) {
  return TargetRefused("WordPress's REST API did not answer at " + site.api +
                       " (check the site address; the REST API must be enabled)");
}

struct Found {
  std::string id;
  std::string link;
};

Found found_of(const json::value& doc, const char* what) {
  Found f{remote::id_text(doc.is_object() ? doc.as_object().if_contains("id") : nullptr),
          content::string_member(doc, "link")};
  if (f.id.empty())
    throw TargetRefused(std::string("WordPress answered ") + what + " without a post id");
  return f;
}

// The post carrying this publication's marker comment, if WordPress has one (any status but
// trash).
asio::awaitable<std::optional<Found>> find_by_marker(const Site& site, RemoteCall& call) {
  const std::string token = marker_token(call.marker);
  const std::string comment = marker_comment(call.marker);
  auto response = co_await remote::exchange(
      call,
      wp_request("GET",
                 site.api + "/posts?search=" + token +
                     "&status=any&context=edit&per_page=20&_fields=id,link,content",
                 site, call),
      site.text());
  if (response.status == 404 || response.status == 410) throw no_api(site);
  const json::value doc = remote::parse_json(response, site.text(), "the post search");
  if (!doc.is_array()) co_return std::nullopt;
  for (const json::value& item : doc.as_array()) {
    const json::value* content =
        item.is_object() ? item.as_object().if_contains("content") : nullptr;
    if (content == nullptr) continue;
    // context=edit gives content.raw: the comment exactly as it was sent.
    if (content::string_member(*content, "raw").find(comment) != std::string::npos)
      co_return found_of(item, "the post search");
  }
  co_return std::nullopt;
}

// title, content (HTML + the marker comment), excerpt, slug, status.
json::object post_fields(const Post& post, const Site& site, const RemoteCall& call) {
  json::object fields;
  fields["title"] = post.title;
  fields["content"] =
      content::markdown_to_html(post.body_markdown) + "\n" + marker_comment(call.marker);
  fields["excerpt"] = post.meta_description;
  fields["slug"] = post.slug;
  fields["status"] = site.status;
  return fields;
}

asio::awaitable<TargetOutcome> update(const Site& site, const std::string& id,
                                      const json::object& fields, RemoteCall& call) {
  auto response = co_await remote::exchange(
      call, wp_json_request("POST", site.api + "/posts/" + checked_id(id), fields, site, call),
      site.text());
  if (response.status == 404 || response.status == 410) {
    throw TargetRefused("WordPress post " + id +
                        " no longer exists; AutoBlog does not create a second one");
  }
  const Found f = found_of(remote::parse_json(response, site.text(), "the update"), "the update");
  TargetOutcome out;
  out.ok = true;
  out.remote_id = f.id;
  if (!f.link.empty()) out.url = f.link;
  co_return out;
}

// A file name WordPress keeps as is (sanitize_file_name keeps letters, digits, '.', '-', '_')
// that carries the marker token, so a retry finds the media an earlier attempt uploaded.
std::string media_filename(const PostImage& image, const std::string& token) {
  std::string stem = image.filename;
  std::string ext;
  if (const auto dot = stem.rfind('.'); dot != std::string::npos && dot > 0) {
    ext = stem.substr(dot);
    stem.resize(dot);
  }
  stem = remote::filename_chars(std::string_view(stem).substr(0, 80));
  if (stem.empty()) stem = "image";
  return stem + "-" + token + remote::filename_chars(std::string_view(ext).substr(0, 10));
}

asio::awaitable<std::string> media_id(const Site& site, const PostImage& image, RemoteCall& call) {
  const std::string token = marker_token(call.marker);
  auto listed = co_await remote::exchange(
      call,
      wp_request("GET", site.api + "/media?search=" + token + "&per_page=20&_fields=id,source_url",
                 site, call),
      site.text());
  if (listed.status == 404 || listed.status == 410) throw no_api(site);
  {
    const json::value doc = remote::parse_json(listed, site.text(), "the media search");
    if (doc.is_array()) {
      for (const json::value& item : doc.as_array()) {
        if (content::string_member(item, "source_url").find(token) == std::string::npos) continue;
        const std::string id = remote::id_text(item.as_object().if_contains("id"));
        if (!id.empty()) co_return id;
      }
    }
  }
  net::HttpRequest upload = wp_request("POST", site.api + "/media", site, call);
  upload.headers.emplace_back(
      "Content-Type", image.content_type.empty() ? "application/octet-stream" : image.content_type);
  upload.headers.emplace_back("Content-Disposition",
                              "attachment; filename=\"" + media_filename(image, token) + "\"");
  upload.body = image.bytes;
  auto response = co_await remote::exchange(call, std::move(upload), site.text());
  if (response.status == 404 || response.status == 410) throw no_api(site);
  const json::value doc = remote::parse_json(response, site.text(), "the image upload");
  const std::string id =
      remote::id_text(doc.is_object() ? doc.as_object().if_contains("id") : nullptr);
  if (id.empty()) throw TargetRefused("WordPress answered the image upload without a media id");
  co_return id;
}

}  // namespace

asio::awaitable<TargetOutcome> WordPressTarget::publish(const Post& post, const RemoteRecord& prior,
                                                        RemoteCall& call) {
  const Site site = read_site(call.config);
  json::object fields = post_fields(post, site, call);
  if (prior.remote_id) co_return co_await update(site, *prior.remote_id, fields, call);

  const std::optional<Found> found = co_await find_by_marker(site, call);
  if (found) {
    // Records are built before co_await: GCC 12 destroys a braced temporary inside it twice.
    const RemoteRecord record{found->id, found->link};
    co_await call.remember(record);
    co_return co_await update(site, found->id, fields, call);
  }

  const std::optional<PostImage> image = co_await call.load_image();
  if (image) {
    const std::string media = co_await media_id(site, *image, call);
    fields["featured_media"] = std::stoll(checked_id(media));
  }
  auto response = co_await remote::exchange(
      call, wp_json_request("POST", site.api + "/posts", fields, site, call), site.text());
  if (response.status == 404 || response.status == 410) throw no_api(site);
  const Found created =
      found_of(remote::parse_json(response, site.text(), "the new post"), "the new post");
  const RemoteRecord record{created.id, created.link};
  co_await call.remember(record);
  TargetOutcome out;
  out.ok = true;
  out.remote_id = created.id;
  if (!created.link.empty()) out.url = created.link;
  co_return out;
}

asio::awaitable<TargetOutcome> WordPressTarget::unpublish(const Post&, const RemoteRecord& prior,
                                                          RemoteCall& call) {
  const Site site = read_site(call.config);
  std::optional<std::string> id = prior.remote_id;
  if (!id) {
    // Nothing recorded: an attempt may still have created the post before its answer was lost.
    const std::optional<Found> found = co_await find_by_marker(site, call);
    if (found) id = found->id;
  }
  TargetOutcome out;
  out.ok = true;
  if (!id) co_return out;  // never created
  out.remote_id = *id;
  co_await remote::exchange(
      call, wp_request("DELETE", site.api + "/posts/" + checked_id(*id), site, call), site.text());
  co_return out;  // 200 (moved to the trash), 404 or 410 (already gone or trashed)
}

std::optional<std::string> check_wordpress_config(const json::object& config) {
  if (auto p = target_fields::site_url_problem(config, "site")) return p;
  if (auto p = target_fields::required_text_problem(config, "username", kMaxUsername)) return p;
  if (auto p = target_fields::required_text_problem(config, "application_password", kMaxPassword))
    return p;
  return target_fields::optional_choice_problem(config, "status", {"publish", "draft"});
}

}  // namespace autoblog::publishing
