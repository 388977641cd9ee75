#include "hosted/hosted_blog.h"

#include <charconv>

#include "hosted/blog_queries.h"
#include "hosted/host.h"
#include "hosted/pages.h"
#include "publishing/hosted_target.h"
#include "tenancy/errors.h"
#include "tenancy/tenant_tx.h"
#include "util/random.h"

namespace autoblog::hosted {

namespace asio = boost::asio;
using db::param;
using http::Request;
using http::Response;

namespace {

constexpr int kPageSize = 10;
constexpr int kFeedSize = 20;
constexpr int kSitemapMax = 50000;
constexpr std::string_view kHtml = "text/html; charset=utf-8";

// No script may run on a hosted page, whatever a post contains; images from the blog itself
// or any https origin; inline styles for the page's own stylesheet.
constexpr std::string_view kCsp =
    "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

Response page_response(const CachedPage& page) {
  Response r;
  r.status = page.status;
  r.content_type = page.content_type;
  r.body = page.body;
  r.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "public, max-age=60");
  return r;
}

Response not_found_response(const Site& site) {
  return page_response(CachedPage{404, std::string(kHtml), not_found_page(site), {}});
}

std::vector<PostSummary> summaries(const db::Result& r, int limit) {
  std::vector<PostSummary> out;
  for (int i = 0; i < r.rows() && i < limit; ++i)
    out.push_back({std::string(r.get(i, 0)), std::string(r.get(i, 1)), std::string(r.get(i, 2)),
                   r.get_int(i, 3), r.get_int(i, 4)});
  return out;
}

// ?page=N of the index: 1 when absent; nullopt for anything but 1..100000.
std::optional<int> page_number(const Request& req) {
  auto p = req.query_param("page");
  if (!p) return 1;
  int n = 0;
  auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), n);
  if (ec != std::errc() || end != p->data() + p->size() || n < 1 || n > 100000) return std::nullopt;
  return n;
}

bool plain_segment(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.'))
      return false;
  return s.front() != '.';
}

}  // namespace

HostedBlog::HostedBlog(db::Pool& pool, tenancy::TenantRegistry& registry,
                       storage::ObjectStorage& storage, ViewCounter* views,
                       HostedBlogOptions options)
    : pool_(pool),
      registry_(registry),
      storage_(storage),
      directory_(pool, registry, options.directory_ttl),
      cache_(options.cache_entries, options.cache_bytes),
      views_(views) {}

http::Middleware HostedBlog::middleware() {
  return [this](Request& req, const http::Handler& next) -> asio::awaitable<Response> {
    std::optional<std::string> site;
    if (auto host = req.header("host")) site = site_host(*host);
    // Not a site's host (an IP literal, as API clients often use): handed on as it is, with no
    // coroutine of this middleware's own.
    if (!site) return next(req);
    return serve_site(req, next, std::move(*site));
  };
}

asio::awaitable<Response> HostedBlog::serve_site(Request& req, const http::Handler& next,
                                                 std::string site) {
  auto tenant_id = co_await directory_.tenant_for(site);
  if (!tenant_id) co_return co_await next(req);
  co_return co_await serve(req, *tenant_id);
}

asio::awaitable<Response> HostedBlog::serve(Request& req, const std::string& tenant_id) {
  if (req.method != "GET" && req.method != "HEAD") {
    req.route = "hosted";
    Response r;
    r.status = 405;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Method not allowed\n";
    r.headers.emplace_back("Allow", "GET, HEAD");
    co_return r;
  }
  std::shared_ptr<const tenancy::ActiveTenant> tenant;
  try {
    tenant = co_await registry_.resolve_active(tenant_id);
  } catch (const tenancy::TenantInactive&) {
    // Suspended or deleted since the directory was loaded: no blog.
  }
  if (!tenant) {
    req.route = "hosted";
    Response r;
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Not found\n";
    co_return r;
  }
  const Site site{(*tenant)->domain.value_or(""), (*tenant)->name};
  const std::string_view path = req.path;

  if (path.starts_with("/images/")) {
    req.route = "hosted /images/{id}/{file}";
    auto rest = path.substr(8);
    auto slash = rest.find('/');
    std::string id(rest.substr(0, slash));
    auto file = slash == rest.npos ? std::string_view() : rest.substr(slash + 1);
    if (util::is_uuid(id) && plain_segment(file, 64)) {
      std::string key = "assets/" + util::normalize_uuid(id) + "/" + std::string(file);
      auto tx = co_await tenancy::TenantTx::begin(pool_, *tenant);
      db::Params p{param(key), param(util::normalize_uuid(id))};
      auto r = co_await tx.commit_with(queries::kPublishedImage, std::move(p));
      if (!r.empty())
        if (auto object = co_await storage_.get(tenant->id(), key)) {
          CachedPage image{200, object->info.content_type, std::move(object->body), {}};
          auto res = page_response(image);
          res.headers.back().second = "public, max-age=3600";
          co_return res;
        }
    }
    co_return not_found_response(site);
  }

  // Which page, and its cache key (tenant, path, the one query parameter that matters).
  std::optional<int> page;
  std::string key = tenant_id + ' ';
  if (path == "/") {
    req.route = "hosted /";
    page = page_number(req);
    key += "/?page=" + std::to_string(page.value_or(0));
  } else if (path.starts_with("/posts/")) {
    req.route = "hosted /posts/{slug}";
    key += path;
  } else if (path == "/feed.xml" || path == "/sitemap.xml" || path == "/robots.txt") {
    req.route = "hosted " + std::string(path);
    key += path;
  } else {
    req.route = "hosted";
    co_return not_found_response(site);
  }
  const auto stamp = cache_.stamp(tenant_id, registry_.generation());
  // A page view: a post page shown to a reader (not a HEAD, not a 404).
  auto viewed = [&](const CachedPage& p) {
    if (views_ && !p.content_id.empty() && req.method == "GET") views_->count(tenant_id, p.content_id);
  };
  if (auto hit = cache_.get(key, stamp)) {
    viewed(*hit);
    co_return page_response(*hit);
  }

  auto made = std::make_shared<CachedPage>();
  made->content_type = std::string(kHtml);
  if (path == "/robots.txt") {
    made->content_type = "text/plain; charset=utf-8";
    made->body = robots_txt(site);
  } else if (path == "/") {
    if (!page) co_return not_found_response(site);
    auto tx = co_await tenancy::TenantTx::begin(pool_, *tenant);
    db::Params p{param(kPageSize + 1), param((*page - 1) * kPageSize)};
    auto r = co_await tx.commit_with(queries::kPublished, std::move(p));
    if (r.empty() && *page > 1)
      co_return not_found_response(site);
    made->body = index_page(site, summaries(r, kPageSize), *page, r.rows() > kPageSize);
  } else if (path == "/feed.xml" || path == "/sitemap.xml") {
    const bool feed = path == "/feed.xml";
    auto tx = co_await tenancy::TenantTx::begin(pool_, *tenant);
    db::Params p{param(feed ? kFeedSize : kSitemapMax), param(0)};
    auto r = co_await tx.commit_with(queries::kPublished, std::move(p));
    auto posts = summaries(r, r.rows());
    made->content_type = feed ? "application/rss+xml; charset=utf-8" : "application/xml; charset=utf-8";
    made->body = feed ? rss_feed(site, posts) : sitemap(site, posts);
  } else {
    auto slug = path.substr(7);
    if (slug.empty() || slug.size() > 512)
      co_return not_found_response(site);
    auto tx = co_await tenancy::TenantTx::begin(pool_, *tenant);
    db::Params p{param(slug)};
    auto r = co_await tx.commit_with(queries::kPostBySlug, std::move(p));
    // Unknown slugs are not cached: a client inventing paths must not push real pages out.
    if (r.empty()) co_return not_found_response(site);
    FullPost post{summaries(r, 1).front(), std::string(r.get(0, 5)), std::nullopt};
    post.image_path = publishing::hosted_image_path(r.get(0, 6));
    made->body = post_page(site, post);
    made->content_id = std::string(r.get(0, 7));
  }
  cache_.put(key, stamp, made);
  viewed(*made);
  co_return page_response(*made);
}

}  // namespace autoblog::hosted
