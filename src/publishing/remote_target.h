#pragma once
// A publishing target outside AutoBlog — a webhook endpoint, a WordPress or a Ghost site —
// reached over the network by the `deliver_publication` job, never while a row is locked.
//
// Exactly once per target: the job records on the item, in its own transaction, every remote id
// the moment the target names it (RemoteCall::remember), and hands the last recorded one to the
// next attempt (RemoteRecord). An adapter therefore
//   1. with a prior remote id: updates (or confirms) that post, never creates another;
//   2. without one: first looks the post up by its idempotency marker (RemoteCall::marker, the
//      same on every attempt of one publication — a timeout after the target created the post
//      leaves no recorded id, but the lookup finds it), and only then creates it;
//   3. calls remember() as soon as a create answers, before any further request.
//
// Failures: throw TargetRefused for what no retry can change (credentials refused, a 4xx that
// names the request, a webhook's 410); any other exception (net errors, 5xx, timeouts) is
// transient and the job retries with backoff. Messages are for the tenant: never a secret.
//
// Adapters are stateless (configuration arrives with each call): thread-safe.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "publishing/target.h"

namespace autoblog::net {
class HttpClient;
}

namespace autoblog::publishing {

// What earlier attempts recorded about the post on this target.
struct RemoteRecord {
  std::optional<std::string> remote_id;
  std::optional<std::string> url;
  // An earlier publish attempt may have reached the target without its answer being read (set
  // for removals: a webhook receiver may hold a message AutoBlog never saw acknowledged).
  bool attempted = false;
};

// The post's hero image, read from the tenant's storage.
struct PostImage {
  std::string bytes;
  std::string content_type;  // e.g. image/png, image/svg+xml
  std::string filename;      // e.g. "<slug>.png"
};

// Everything an adapter needs besides the post, lent for one call.
struct RemoteCall {
  net::HttpClient& http;
  // The target's entry of publishing_config.targets, secrets included. Validated when the brand
  // was saved (check_remote_target), but read defensively: an adapter throws TargetRefused for a
  // missing field.
  const boost::json::object& config;
  std::string tenant_id;
  // Stable across every attempt of one publication of one item to one target (a new publish of
  // the same item gets a new one): the webhook-id, and the marker adapters look posts up by.
  std::string marker;
  std::optional<std::string> public_url;  // the post on the tenant's hosted blog, if any
  std::string published_at;               // RFC 3339, when the item was published
  // Every request of this call ends by then (RequestOptions::deadline).
  std::chrono::steady_clock::time_point deadline;
  // The hero image (nullopt when the post has none). Reads storage on each call.
  std::function<boost::asio::awaitable<std::optional<PostImage>>()> load_image;
  // Records a remote id (and URL) on the item at once, committed before it returns.
  std::function<boost::asio::awaitable<void>(const RemoteRecord&)> remember;
  std::optional<std::string> image_url;  // the hero image on the tenant's hosted blog, if any
};

// An outcome no retry can change. `disable`: the target asked never to be called again (a
// webhook's 410 Gone); the item records it and later publications skip the target.
struct TargetRefused : std::runtime_error {
  explicit TargetRefused(const std::string& m, bool disable_target = false)
      : std::runtime_error(m), disable(disable_target) {}
  bool disable = false;
};

class RemoteTarget {
 public:
  virtual ~RemoteTarget() = default;
  // The post is live on the target: outcome.ok, with its remote id and URL when the target has
  // them.
  virtual boost::asio::awaitable<TargetOutcome> publish(const Post& post,
                                                        const RemoteRecord& prior,
                                                        RemoteCall& call) = 0;
  // The post is gone from the target (or the target cannot remove posts: outcome.ok with an
  // error saying so). `prior` is what publish recorded.
  virtual boost::asio::awaitable<TargetOutcome> unpublish(const Post& post,
                                                          const RemoteRecord& prior,
                                                          RemoteCall& call) = 0;
};

}  // namespace autoblog::publishing
