#pragma once
// The hosted blog: a request whose Host is an active tenant's domain (hosted/host.h,
// site_directory.h) is that tenant's blog, whatever its path:
//   /                 published posts, newest first, 10 a page (?page=N)
//   /posts/{slug}     one post (Markdown rendered with raw HTML disabled, content/markdown.h)
//   /feed.xml         RSS 2.0, the 20 newest posts
//   /sitemap.xml      every published post
//   /robots.txt       allows everything, names the sitemap
//   /images/{id}/{file}  the hero image of a published post (no other stored file is public)
// Anything else on the domain is a 404 page. Requests for any other host pass to the rest of
// the chain (the API), which answers these paths 404 too. Every query runs in the tenant's own
// TenantTx, so one domain can only ever read its own tenant's posts and files.
// Pages (not images) are cached per tenant (page_cache.h). Responses carry a Content-Security-
// Policy that allows no script at all, behind the Markdown renderer's own escaping.
// Thread-safe; the pool, registry and storage must outlive it.
#include <chrono>
#include <memory>

#include "db/pool.h"
#include "hosted/page_cache.h"
#include "hosted/site_directory.h"
#include "hosted/view_counter.h"
#include "http/handler.h"
#include "storage/object_storage.h"
#include "tenancy/registry.h"

namespace autoblog::hosted {

struct HostedBlogOptions {
  std::size_t cache_entries = 4096;
  std::size_t cache_bytes = 64u << 20;
  std::chrono::seconds directory_ttl{30};  // backstop behind change notifications
};

class HostedBlog {
 public:
  // `views` (may be null) counts every post page served.
  HostedBlog(db::Pool& pool, tenancy::TenantRegistry& registry, storage::ObjectStorage& storage,
             ViewCounter* views, HostedBlogOptions options = {});

  // Placed after error mapping and the access log, before routing.
  http::Middleware middleware();
  // A tenant's post was published or unpublished (from the change listener).
  void blog_changed(const std::string& tenant_id) { cache_.tenant_changed(tenant_id); }

 private:
  boost::asio::awaitable<http::Response> serve(http::Request& req, const std::string& tenant_id);
  // A request for `site` (a host name): the blog of the tenant it belongs to, else `next`.
  boost::asio::awaitable<http::Response> serve_site(http::Request& req, const http::Handler& next,
                                                    std::string site);

  db::Pool& pool_;
  tenancy::TenantRegistry& registry_;
  storage::ObjectStorage& storage_;
  SiteDirectory directory_;
  PageCache cache_;
  ViewCounter* views_;
};

}  // namespace autoblog::hosted
