#pragma once
// The webhook target: the article POSTed as JSON to the tenant's endpoint, signed as the
// Standard Webhooks specification says, so a receiver can check it came from AutoBlog unchanged:
//   webhook-id          the message id, the same on every retry of one message (receivers
//                       deduplicate by it: that is this target's exactly-once);
//   webhook-timestamp   seconds since the epoch, of this attempt;
//   webhook-signature   "v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}'>" keyed by the
//                       base64-decoded part of the brand's "whsec_…" secret; while a secret is
//                       rotated ("previous_secret" set) a second signature, space-separated.
// Body: {"type": "post.published" | "post.unpublished", "timestamp", "tenant_id", "content_id",
//        "post": {title, slug, meta_description, body_markdown, body_html, image_url, url,
//                 published_at}}.
// Answers: 2xx delivered; 410 Gone disables the endpoint (TargetRefused with disable); a
// redirect (not followed) or a url the egress policy refuses is TargetRefused; anything else, or
// no answer, is retried by the delivery job with backoff over hours. A removal of a publication
// that never reached the receiver (no acknowledgement, no attempt) sends nothing.
// Stateless: thread-safe.
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "publishing/remote_target.h"

namespace autoblog::publishing {

// Why a webhook target's configuration is unusable ("url must be ..."), or nullopt.
std::optional<std::string> check_webhook_config(const boost::json::object& target);

// The signing key of a "whsec_<base64>" secret (16 to 64 bytes), or nullopt.
std::optional<std::string> webhook_signing_key(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>".
std::string webhook_signature(std::string_view key, std::string_view id,
                              std::string_view timestamp, std::string_view body);

class WebhookTarget final : public RemoteTarget {
 public:
  boost::asio::awaitable<TargetOutcome> publish(const Post& post, const RemoteRecord& prior,
                                                RemoteCall& call) override;
  boost::asio::awaitable<TargetOutcome> unpublish(const Post& post, const RemoteRecord& prior,
                                                  RemoteCall& call) override;

 private:
  static boost::asio::awaitable<TargetOutcome> send(const Post& post, RemoteCall& call,
                                                    bool published);
};

}  // namespace autoblog::publishing
