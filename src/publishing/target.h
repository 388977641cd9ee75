#pragma once
// A publishing target: one place an article goes when its item is published (the tenant's
// hosted blog today; webhooks, WordPress and Ghost are later adapters of the same interface).
// The publisher (publisher.h) asks each target of the brand's publishing_config in turn and
// records every outcome on the item under the target's key, so one failing target never hides
// what the others did, and a retry can see what already happened (remote ids) before acting.
// Implementations must be thread-safe (one instance serves every job).
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace autoblog::publishing {

// The article as targets see it (from the item's generated_content and visual_assets).
struct Post {
  std::string content_id;
  std::string title;
  std::string slug;
  std::string meta_description;
  std::string body_markdown;
  std::optional<std::string> image_key;  // tenant storage key of the hero image
};

// What a target reports. ok = the post is live there (publish) or gone (unpublish).
struct TargetOutcome {
  bool ok = false;
  std::optional<std::string> remote_id;
  std::optional<std::string> url;
  std::optional<std::string> error;  // a sentence for the tenant, never a secret
};

class Target {
 public:
  virtual ~Target() = default;
  // The key of this target's entry in the item's `publications` ("hosted", ...).
  virtual std::string key() const = 0;
  virtual boost::asio::awaitable<TargetOutcome> publish(const Post& post) = 0;
  virtual boost::asio::awaitable<TargetOutcome> unpublish(const Post& post) = 0;
};

}  // namespace autoblog::publishing
