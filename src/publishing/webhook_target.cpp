#include "publishing/webhook_target.h"

#include <boost/json.hpp>
#include <chrono>

#include "content/content_json.h"
#include "content/markdown.h"
#include "net/http_client.h"
#include "publishing/target_config.h"
#include "util/base64.h"
#include "util/crypto.h"
#include "util/time.h"

namespace autoblog::publishing {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
// A receiver's answer is read only for its status: keep what it may send back small.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

// "url must be ..." style problems of one secret field, or nullopt.
std::optional<std::string> check_secret(const json::object& target, std::string_view key,
                                        bool required) {
  const auto* v = target.if_contains(key);
  if (!v) {
    if (!required) return std::nullopt;
    return std::string(key) + " is required: \"whsec_\" followed by a base64 key";
  }
  if (!v->is_string() || !webhook_signing_key(v->get_string()))
    return std::string(key) +
           " must be \"whsec_\" followed by the base64 of a 16 to 64 byte random key";
  return std::nullopt;
}

asio::awaitable<TargetOutcome> never_delivered() {
  TargetOutcome out;
  out.ok = true;
  out.error = "not sent: the publication had not been delivered";
  co_return out;
}

}  // namespace

std::optional<std::string> webhook_signing_key(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  auto key = util::base64_decode(secret.substr(kSecretPrefix.size()));
  if (!key || key->size() < 16 || key->size() > 64) return std::nullopt;
  return key;
}

std::string webhook_signature(std::string_view key, std::string_view id, std::string_view timestamp,
                              std::string_view body) {
  std::string signed_content;
  signed_content.reserve(id.size() + timestamp.size() + body.size() + 2);
  signed_content.append(id).append(".").append(timestamp).append(".").append(body);
  return "v1," + util::base64_encode(util::hmac_sha256(key, signed_content));
}

std::optional<std::string> check_webhook_config(const json::object& target) {
  if (!is_endpoint_url(content::string_member(target, "url")))
    return std::string(
        "url must be an absolute http:// or https:// URL without credentials or fragment");
  if (auto problem = check_secret(target, "secret", true)) return problem;
  if (auto problem = check_secret(target, "previous_secret", false)) return problem;
  return std::nullopt;
}

asio::awaitable<TargetOutcome> WebhookTarget::publish(const Post& post, const RemoteRecord&,
                                                      RemoteCall& call) {
  return send(post, call, true);
}

asio::awaitable<TargetOutcome> WebhookTarget::unpublish(const Post& post, const RemoteRecord& prior,
                                                        RemoteCall& call) {
  // The receiver never heard of this post (no attempt of its publication reached it).
  if (!prior.remote_id && !prior.attempted) return never_delivered();
  return send(post, call, false);
}

asio::awaitable<TargetOutcome> WebhookTarget::send(const Post& post, RemoteCall& call,
                                                   bool published) {
  const std::string url = content::string_member(call.config, "url");
  const auto key = webhook_signing_key(content::string_member(call.config, "secret"));
  if (url.empty() || !key) throw TargetRefused("the webhook target has no usable url and secret");

  const std::string event = published ? "post.published" : "post.unpublished";
  const auto now = std::chrono::system_clock::now();
  json::object p{{"title", post.title},
                 {"slug", post.slug},
                 {"meta_description", post.meta_description},
                 {"body_markdown", post.body_markdown},
                 {"body_html", content::markdown_to_html(post.body_markdown)},
                 {"image_url", nullptr},
                 {"url", nullptr},
                 {"published_at", call.published_at}};
  if (call.image_url) p["image_url"] = *call.image_url;
  if (call.public_url) p["url"] = *call.public_url;
  const std::string body = json::serialize(json::object{{"type", event},
                                                        {"timestamp", util::format_rfc3339(now)},
                                                        {"tenant_id", call.tenant_id},
                                                        {"content_id", post.content_id},
                                                        {"post", std::move(p)}});
  // One id per message, the same on every retry: publish and unpublish are two messages.
  const std::string id = "msg_" + call.marker + (published ? "_published" : "_unpublished");
  const std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  std::string signature = webhook_signature(*key, id, timestamp, body);
  if (auto old_key = webhook_signing_key(content::string_member(call.config, "previous_secret")))
    signature += " " + webhook_signature(*old_key, id, timestamp, body);

  net::HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"},
                 {"webhook-id", id},
                 {"webhook-timestamp", timestamp},
                 {"webhook-signature", std::move(signature)}};
  req.body = body;
  req.options.deadline = call.deadline;
  req.options.max_response_bytes = kMaxAnswerBytes;
  req.options.throw_on_http_error = false;
  net::HttpResponse res;
  try {
    res = co_await call.http.send(std::move(req));
  } catch (const net::EgressRefused& e) {
    throw TargetRefused(std::string("the webhook url is not allowed: ") + e.what());
  } catch (const net::InvalidRequest& e) {
    throw TargetRefused(std::string("the webhook url cannot be used: ") + e.what());
  }
  if (res.status >= 300 && res.status <= 399)
    throw TargetRefused("the webhook endpoint answered HTTP " + std::to_string(res.status) +
                        " (a redirect, which is not followed): configure the final url");
  if (res.status == 410)
    throw TargetRefused(
        "the webhook endpoint answered 410 Gone; it is disabled until the brand "
        "is saved again without \"disabled\"",
        true);
  if (res.status < 200 || res.status > 299)
    throw std::runtime_error("the webhook endpoint answered HTTP " + std::to_string(res.status));
  TargetOutcome out;
  out.ok = true;
  out.remote_id = id;
  co_return out;
}

}  // namespace autoblog::publishing
