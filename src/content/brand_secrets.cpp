#include "content/brand_secrets.h"

#include <array>
#include <boost/json.hpp>
#include <utility>

#include "content/errors.h"

namespace autoblog::content {

namespace json = boost::json;

namespace {

// (type, secret field) pairs, and the field naming each type's endpoint.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kSecrets{{
    {"webhook", "secret"},
    {"webhook", "previous_secret"},
    {"wordpress", "application_password"},
    {"ghost", "admin_key"},
}};

// publishing_config.targets when it is an array (const or not).
template <typename Value>
auto targets_of(Value& config) {
  auto* o = config.if_object();
  auto* t = o ? o->if_contains("targets") : nullptr;
  return t ? t->if_array() : nullptr;
}

std::string_view type_of(const json::value& target) {
  const auto* o = target.if_object();
  const auto* t = o ? o->if_contains("type") : nullptr;
  return t && t->is_string() ? std::string_view(t->get_string()) : std::string_view();
}

}  // namespace

std::string_view endpoint_field(std::string_view type) {
  if (type == "webhook") return "url";
  if (type == "wordpress") return "site";
  if (type == "ghost") return "admin_url";
  return {};
}

bool is_secret_field(std::string_view type, std::string_view field) {
  for (const auto& [t, f] : kSecrets)
    if (t == type && f == field) return true;
  return false;
}

void redact_secrets(json::value& publishing_config) {
  auto* targets = targets_of(publishing_config);
  if (!targets) return;
  for (auto& target : *targets) {
    auto* o = target.if_object();
    if (!o) continue;
    const std::string type(type_of(target));
    for (auto& [key, value] : *o)
      if (value.is_string() && is_secret_field(type, key)) value = kRedacted;
  }
}

void restore_secrets(json::value& incoming, const json::value& stored) {
  auto* targets = targets_of(incoming);
  if (!targets) return;
  const auto* old_targets = targets_of(stored);
  for (std::size_t i = 0; i < targets->size(); ++i) {
    auto* o = (*targets)[i].if_object();
    if (!o) continue;
    const std::string type(type_of((*targets)[i]));
    for (auto& [key, value] : *o) {
      if (!value.is_string() || value.get_string() != kRedacted || !is_secret_field(type, key))
        continue;
      const json::object* old =
          old_targets && i < old_targets->size() ? (*old_targets)[i].if_object() : nullptr;
      const auto endpoint = endpoint_field(type);
      const json::value* old_value = old ? old->if_contains(key) : nullptr;
      const bool same = old && type_of((*old_targets)[i]) == type && old_value &&
                        old_value->is_string() && old->if_contains(endpoint) &&
                        o->if_contains(endpoint) &&
                        *old->if_contains(endpoint) == *o->if_contains(endpoint);
      if (!same)
        throw InvalidInput("publishing_config.targets[" + std::to_string(i) + "]." +
                           std::string(key) +
                           " is \"***\" but no stored secret belongs to this target; send the "
                           "secret itself");
      value = *old_value;
    }
  }
}

}  // namespace autoblog::content
