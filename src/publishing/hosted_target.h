#pragma once
// The `hosted` target: the tenant's blog served by AutoBlog itself on the tenant's domain
// (src/hosted/). Nothing leaves the process: a post is on the blog exactly while its item is
// `published`, so publishing only reports where the post can be read; the status change and
// the cache invalidation are the publisher's. Stateless: thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "publishing/target.h"

namespace autoblog::publishing {

inline constexpr std::string_view kHostedKey = "hosted";

class HostedTarget final : public Target {
 public:
  // `domain`: the tenant's canonical domain, or empty when it has none yet (the outcome then
  // has no url; the post appears once the tenant gets a domain).
  explicit HostedTarget(std::string domain) : domain_(std::move(domain)) {}
  std::string key() const override { return std::string(kHostedKey); }
  boost::asio::awaitable<TargetOutcome> publish(const Post& post) override;
  boost::asio::awaitable<TargetOutcome> unpublish(const Post& post) override;

 private:
  std::string domain_;
};

// The public address of a hosted post: https://{domain}/posts/{slug}.
std::string hosted_post_url(std::string_view domain, std::string_view slug);

// Where the blog serves an image stored under `assets/` ("/images/{rest}"), or nullopt for a key
// elsewhere (the blog serves only a post's assets).
std::optional<std::string> hosted_image_path(std::string_view storage_key);
// The same as an absolute URL on `domain`.
std::optional<std::string> hosted_image_url(std::string_view domain, std::string_view storage_key);

}  // namespace autoblog::publishing
