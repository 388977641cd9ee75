#include "publishing/target_config.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <string>

#include "content/errors.h"
#include "publishing/ghost_target.h"
#include "publishing/hosted_target.h"
#include "publishing/webhook_target.h"
#include "publishing/wordpress_target.h"

namespace autoblog::publishing {

namespace json = boost::json;
using content::InvalidInput;

namespace {

void check_target(const json::value& target, const std::string& where) {
  const auto* o = target.if_object();
  const auto* type = o ? o->if_contains("type") : nullptr;
  if (!type || !type->is_string())
    throw InvalidInput(where + " must be an object with a string \"type\"");
  const std::string_view t = type->get_string();
  std::optional<std::string> problem;
  if (t == kHostedKey) {
    problem = std::nullopt;
  } else if (t == "webhook") {
    problem = check_webhook_config(*o);
  } else if (t == kWordPressType) {
    problem = check_wordpress_config(*o);
  } else if (t == kGhostType) {
    problem = check_ghost_config(*o);
  } else {
    throw InvalidInput(where + ".type must be one of hosted, webhook, wordpress, ghost");
  }
  if (problem) throw InvalidInput(where + "." + *problem);
}

}  // namespace

void check_publishing_config(const json::value& config) {
  if (config.is_null()) return;
  const auto* o = config.if_object();
  if (!o) throw InvalidInput("publishing_config must be an object");
  if (const auto* a = o->if_contains("auto_approve"); a && !a->is_bool())
    throw InvalidInput("publishing_config.auto_approve must be true or false");
  const auto* targets = o->if_contains("targets");
  if (!targets || targets->is_null()) return;
  const auto* list = targets->if_array();
  if (!list) throw InvalidInput("publishing_config.targets must be an array");
  if (list->size() > kMaxTargets)
    throw InvalidInput("publishing_config.targets may list at most " + std::to_string(kMaxTargets) +
                       " targets");
  for (std::size_t i = 0; i < list->size(); ++i)
    check_target((*list)[i], "publishing_config.targets[" + std::to_string(i) + "]");
}

bool is_endpoint_url(std::string_view url) {
  if (url.size() > 2048) return false;
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return false;
  const auto scheme = u->scheme_id();
  return (scheme == boost::urls::scheme::http || scheme == boost::urls::scheme::https) &&
         u->has_authority() && !u->encoded_host().empty() && !u->has_userinfo();
}

}  // namespace autoblog::publishing
