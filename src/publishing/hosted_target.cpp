#include "publishing/hosted_target.h"

namespace autoblog::publishing {

std::string hosted_post_url(std::string_view domain, std::string_view slug) {
  return "https://" + std::string(domain) + "/posts/" + std::string(slug);
}

std::optional<std::string> hosted_image_path(std::string_view storage_key) {
  constexpr std::string_view kAssets = "assets/";
  if (!storage_key.starts_with(kAssets)) return std::nullopt;
  return "/images/" + std::string(storage_key.substr(kAssets.size()));
}

std::optional<std::string> hosted_image_url(std::string_view domain,
                                            std::string_view storage_key) {
  auto path = hosted_image_path(storage_key);
  if (!path) return std::nullopt;
  return "https://" + std::string(domain) + *path;
}

boost::asio::awaitable<TargetOutcome> HostedTarget::publish(const Post& post) {
  TargetOutcome out;
  out.ok = true;
  out.remote_id = post.slug;
  if (!domain_.empty()) out.url = hosted_post_url(domain_, post.slug);
  co_return out;
}

boost::asio::awaitable<TargetOutcome> HostedTarget::unpublish(const Post& post) {
  TargetOutcome out;
  out.ok = true;
  out.remote_id = post.slug;
  co_return out;
}

}  // namespace autoblog::publishing
