#include "hosted/pages.h"

#include "content/markdown.h"
#include "http/http_date.h"
#include "util/time.h"

namespace autoblog::hosted {

namespace {

std::string base_url(const Site& site) { return "https://" + site.domain; }

std::string post_url(const Site& site, std::string_view slug) {
  // Slugs are written by the engine or a review edit: [a-z0-9-] normally, but they are the
  // tenant's text, so they are escaped wherever they appear.
  return base_url(site) + "/posts/" + std::string(slug);
}

std::string rfc822(std::int64_t unix_seconds) {
  char buf[http::kHttpDateSize];
  http::format_http_date(unix_seconds, buf);
  return std::string(buf, sizeof buf);
}

std::string date_text(std::int64_t unix_seconds) {
  return util::format_rfc3339_unix(unix_seconds).substr(0, 10);
}

// The shared head: title, description, canonical URL, and (for posts) Open Graph tags.
void head(std::string& out, const Site& site, std::string_view title, std::string_view description,
          std::string_view canonical, std::string_view og_type,
          const std::optional<std::string>& image_url) {
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += escape_html(title);
  out += "</title>\n";
  if (!description.empty())
    out += "<meta name=\"description\" content=\"" + escape_html(description) + "\">\n";
  out += "<link rel=\"canonical\" href=\"" + escape_html(canonical) + "\">\n";
  out += "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"" + escape_html(site.name) +
         "\" href=\"/feed.xml\">\n";
  out += "<meta property=\"og:site_name\" content=\"" + escape_html(site.name) + "\">\n";
  out += "<meta property=\"og:type\" content=\"" + std::string(og_type) + "\">\n";
  out += "<meta property=\"og:title\" content=\"" + escape_html(title) + "\">\n";
  if (!description.empty())
    out += "<meta property=\"og:description\" content=\"" + escape_html(description) + "\">\n";
  out += "<meta property=\"og:url\" content=\"" + escape_html(canonical) + "\">\n";
  if (image_url) out += "<meta property=\"og:image\" content=\"" + escape_html(*image_url) + "\">\n";
  out += "<style>body{font:18px/1.6 Georgia,serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
         "color:#222}header a{color:inherit;text-decoration:none}img{max-width:100%;height:auto}"
         "time{color:#666;font-size:.9em}article+article{margin-top:2rem}</style>\n</head>\n"
         "<body>\n<header><a href=\"/\">" +
         escape_html(site.name) + "</a></header>\n<main>\n";
}

const char* kFoot = "</main>\n</body>\n</html>\n";

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string index_page(const Site& site, const std::vector<PostSummary>& posts, int page,
                       bool has_next) {
  std::string out;
  std::string canonical = base_url(site) + (page > 1 ? "/?page=" + std::to_string(page) : "/");
  head(out, site, site.name, "", canonical, "website", std::nullopt);
  if (posts.empty()) out += "<p>No posts yet.</p>\n";
  for (const auto& p : posts) {
    out += "<article>\n<h2><a href=\"/posts/" + escape_html(p.slug) + "\">" +
           escape_html(p.title) + "</a></h2>\n<time datetime=\"" +
           util::format_rfc3339_unix(p.published_unix) + "\">" + date_text(p.published_unix) +
           "</time>\n";
    if (!p.meta_description.empty()) out += "<p>" + escape_html(p.meta_description) + "</p>\n";
    out += "</article>\n";
  }
  out += "<nav>";
  if (page > 1)
    out += "<a rel=\"prev\" href=\"/" +
           (page == 2 ? std::string() : "?page=" + std::to_string(page - 1)) + "\">Newer</a> ";
  if (has_next) out += "<a rel=\"next\" href=\"/?page=" + std::to_string(page + 1) + "\">Older</a>";
  out += "</nav>\n";
  out += kFoot;
  return out;
}

std::string post_page(const Site& site, const FullPost& post) {
  std::string out;
  const auto& s = post.summary;
  std::optional<std::string> image_url;
  if (post.image_path) image_url = base_url(site) + *post.image_path;
  head(out, site, s.title, s.meta_description, post_url(site, s.slug), "article", image_url);
  out += "<article>\n<h1>" + escape_html(s.title) + "</h1>\n<time datetime=\"" +
         util::format_rfc3339_unix(s.published_unix) + "\">" + date_text(s.published_unix) +
         "</time>\n";
  if (post.image_path)
    out += "<img src=\"" + escape_html(*post.image_path) + "\" alt=\"" + escape_html(s.title) +
           "\">\n";
  out += content::markdown_to_html(post.body_markdown);
  out += "</article>\n";
  out += kFoot;
  return out;
}

std::string not_found_page(const Site& site) {
  std::string out;
  head(out, site, "Not found", "", base_url(site) + "/", "website", std::nullopt);
  out += "<h1>Not found</h1>\n<p>There is no page at this address.</p>\n";
  out += kFoot;
  return out;
}

std::string rss_feed(const Site& site, const std::vector<PostSummary>& posts) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n<title>" +
      escape_html(site.name) + "</title>\n<link>" + base_url(site) + "/</link>\n<description>" +
      escape_html(site.name) + "</description>\n";
  if (!posts.empty())
    out += "<lastBuildDate>" + rfc822(posts.front().published_unix) + "</lastBuildDate>\n";
  for (const auto& p : posts) {
    auto link = escape_html(post_url(site, p.slug));
    out += "<item>\n<title>" + escape_html(p.title) + "</title>\n<link>" + link +
           "</link>\n<guid isPermaLink=\"true\">" + link + "</guid>\n<pubDate>" + rfc822(p.published_unix) +
           "</pubDate>\n";
    if (!p.meta_description.empty())
      out += "<description>" + escape_html(p.meta_description) + "</description>\n";
    out += "</item>\n";
  }
  out += "</channel>\n</rss>\n";
  return out;
}

std::string sitemap(const Site& site, const std::vector<PostSummary>& posts) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n<url><loc>" +
      base_url(site) + "/</loc></url>\n";
  for (const auto& p : posts)
    out += "<url><loc>" + escape_html(post_url(site, p.slug)) + "</loc><lastmod>" +
           date_text(p.updated_unix) + "</lastmod></url>\n";
  out += "</urlset>\n";
  return out;
}

std::string robots_txt(const Site& site) {
  return "User-agent: *\nAllow: /\nSitemap: " + base_url(site) + "/sitemap.xml\n";
}

}  // namespace autoblog::hosted
