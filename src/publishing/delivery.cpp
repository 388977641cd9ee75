#include "publishing/delivery.h"

#include <boost/json.hpp>

#include "publishing/ghost_target.h"
#include "publishing/webhook_target.h"
#include "publishing/wordpress_target.h"
#include "util/random.h"

namespace autoblog::publishing {

namespace json = boost::json;

std::string Delivery::payload_json() const {
  return json::serialize(json::object{{"content_id", content_id},
                                      {"target", key},
                                      {"type", type},
                                      {"index", index},
                                      {"marker", marker},
                                      {"action", publish ? "publish" : "unpublish"}});
}

std::optional<Delivery> Delivery::parse(std::string_view payload_json) {
  boost::system::error_code ec;
  auto v = json::parse(payload_json, ec);
  const auto* o = ec ? nullptr : v.if_object();
  if (!o) return std::nullopt;
  auto str = [&](std::string_view k) -> const json::string* {
    const auto* f = o->if_contains(k);
    return f ? f->if_string() : nullptr;
  };
  const auto* index = o->if_contains("index");
  const auto *id = str("content_id"), *key = str("target"), *type = str("type"),
             *marker = str("marker"), *action = str("action");
  if (!id || !key || !type || !marker || !action || !index || !index->is_number() ||
      !util::is_uuid(*id) || (*action != "publish" && *action != "unpublish"))
    return std::nullopt;
  boost::system::error_code nec;
  auto i = index->to_number<std::size_t>(nec);
  if (nec) return std::nullopt;
  return Delivery{std::string(*id),     std::string(*key),   std::string(*type), i,
                  std::string(*marker), *action == "publish"};
}

std::string Delivery::job_key() const {
  return "deliver:" + content_id + ":" + key + ":" + (publish ? "publish:" : "unpublish:") + marker;
}

std::unique_ptr<RemoteTarget> make_remote_target(std::string_view type) {
  if (type == "webhook") return std::make_unique<WebhookTarget>();
  if (type == kWordPressType) return std::make_unique<WordPressTarget>();
  if (type == kGhostType) return std::make_unique<GhostTarget>();
  return nullptr;
}

}  // namespace autoblog::publishing
