#pragma once
// The hosted blog's documents, written from plain values: the index, a post, the RSS 2.0 feed,
// the sitemap and robots.txt. Everything the tenant wrote that is not Markdown (titles, meta
// descriptions, the blog's name) is escaped for HTML or XML here; Markdown goes through
// markdown.h. Absolute URLs use https://{domain}. Pure functions: thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::hosted {

struct Site {
  std::string domain;  // canonical
  std::string name;    // the tenant's name
};

struct PostSummary {
  std::string title;
  std::string slug;
  std::string meta_description;
  std::int64_t published_unix = 0;
  std::int64_t updated_unix = 0;
};

struct FullPost {
  PostSummary summary;
  std::string body_markdown;
  std::optional<std::string> image_path;  // "/images/..." on the blog, when the post has one
};

// & < > " ' escaped: safe in element content and in quoted attributes (HTML and XML).
std::string escape_html(std::string_view text);

// Page `page` (from 1) of the index; `has_next` adds a link to the next page.
std::string index_page(const Site& site, const std::vector<PostSummary>& posts, int page,
                       bool has_next);
std::string post_page(const Site& site, const FullPost& post);
std::string not_found_page(const Site& site);
std::string rss_feed(const Site& site, const std::vector<PostSummary>& posts);
std::string sitemap(const Site& site, const std::vector<PostSummary>& posts);
std::string robots_txt(const Site& site);

}  // namespace autoblog::hosted
