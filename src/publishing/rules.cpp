#include "publishing/rules.h"

#include <boost/json.hpp>

#include "content/providers/slug.h"
#include "publishing/hosted_target.h"

namespace autoblog::publishing {

namespace json = boost::json;

std::optional<std::string> publish_refusal(std::string_view status) {
  if (status == "approved") return std::nullopt;
  return "only an approved item can be published; this item is " + std::string(status);
}

std::optional<std::string> delivery_in_progress(const json::value& publications) {
  const json::object* all = publications.if_object();
  if (!all) return std::nullopt;
  for (const auto& [key, entry] : *all) {
    const json::object* e = entry.if_object();
    const json::value* state = e ? e->if_contains("status") : nullptr;
    if (!state || !state->is_string()) continue;
    if (state->get_string() == "pending" || state->get_string() == "unpublishing")
      return "the " + std::string(key) + " target is still " + std::string(state->get_string()) +
             "; publish again once publications shows it done";
  }
  return std::nullopt;
}

std::optional<std::string> unpublish_refusal(std::string_view status) {
  if (status == "published" || status == "scheduled") return std::nullopt;
  return "only a published or scheduled item can be unpublished; this item is " +
         std::string(status);
}

namespace {
const json::string* string_at(const json::object* o, std::string_view key) {
  const json::value* v = o ? o->if_contains(key) : nullptr;
  return v ? v->if_string() : nullptr;
}
}  // namespace

std::optional<Post> post_from(std::string content_id, const json::value& generated_content,
                              const json::value& visual_assets, std::string* why) {
  const json::object* g = generated_content.if_object();
  const json::string* title = string_at(g, "title");
  const json::string* slug = string_at(g, "slug");
  const json::string* body = string_at(g, "body_markdown");
  if (!title || !slug || !body || title->empty() || slug->empty()) {
    if (why)
      *why = "the item has no article to publish: generated_content needs a title, a slug and "
             "body_markdown";
    return std::nullopt;
  }
  // Every target addresses the post by its slug (/posts/{slug} here, WordPress and Ghost by
  // theirs); a slug a site would rewrite (capitals, spaces, accents) could not be found again
  // after a timeout there. Ghost allows 191 characters.
  if (const std::string canonical = content::providers::slugify(*slug, kMaxSlugLength);
      canonical != *slug) {
    if (why)
      *why = "the article's slug must be lower-case letters, digits and single hyphens, at most " +
             std::to_string(kMaxSlugLength) + " characters" +
             (canonical.empty() ? std::string() : ", e.g. \"" + canonical + "\"") +
             "; change generated_content.slug";
    return std::nullopt;
  }
  Post p;
  p.content_id = std::move(content_id);
  p.title = std::string(*title);
  p.slug = std::string(*slug);
  p.body_markdown = std::string(*body);
  if (auto* meta = string_at(g, "meta_description")) p.meta_description = std::string(*meta);
  const json::object* assets = visual_assets.if_object();
  const json::value* hero = assets ? assets->if_contains("hero") : nullptr;
  if (auto* key = string_at(hero ? hero->if_object() : nullptr, "key"))
    p.image_key = std::string(*key);
  return p;
}

std::vector<TargetSpec> target_specs(const json::value& publishing_config) {
  std::vector<TargetSpec> out;
  const json::object* c = publishing_config.if_object();
  const json::value* targets = c ? c->if_contains("targets") : nullptr;
  const json::array* list = targets ? targets->if_array() : nullptr;
  if (!list || list->empty()) return {{std::string(kHostedKey), std::string(kHostedKey)}};
  bool hosted_seen = false;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto* type = string_at((*list)[i].if_object(), "type");
    std::string t = type ? std::string(*type) : std::string();
    if (t == kHostedKey) {
      if (hosted_seen) continue;  // one blog per tenant: a second entry adds nothing
      hosted_seen = true;
      out.push_back({std::string(kHostedKey), t, i});
    } else {
      out.push_back({(t.empty() ? std::string("target") : t) + ":" + std::to_string(i), t, i});
    }
  }
  return out;
}

const json::object* target_config(const json::value& publishing_config, std::size_t index) {
  const json::object* c = publishing_config.if_object();
  const json::value* targets = c ? c->if_contains("targets") : nullptr;
  const json::array* list = targets ? targets->if_array() : nullptr;
  return list && index < list->size() ? (*list)[index].if_object() : nullptr;
}

json::object outcome_json(const TargetOutcome& outcome, bool unpublishing,
                          std::string_view at_rfc3339) {
  json::object o;
  o["status"] = !outcome.ok ? "failed" : unpublishing ? "unpublished" : "published";
  if (outcome.remote_id) o["remote_id"] = *outcome.remote_id;
  if (outcome.url) o["url"] = *outcome.url;
  o[unpublishing ? "unpublished_at" : (outcome.ok ? "published_at" : "failed_at")] = at_rfc3339;
  if (outcome.error) o["error"] = *outcome.error;
  return o;
}

}  // namespace autoblog::publishing
