#include "publishing/publisher.h"

#include <boost/json.hpp>

#include "content/brand_secrets.h"
#include "content/content_json.h"
#include "publishing/hosted_target.h"
#include "publishing/publishing_queries.h"
#include "util/random.h"
#include "util/time.h"

namespace autoblog::publishing {

namespace asio = boost::asio;
namespace json = boost::json;
namespace q = queries;
using db::param;

namespace {

TargetOutcome unsupported(const TargetSpec& spec) {
  TargetOutcome out;
  out.error = spec.type.empty()
                  ? std::string("publishing target without a type")
                  : "publishing target type '" + spec.type + "' is not supported by this server";
  return out;
}

// The item's entry for a target in `publications`, or nullptr.
const json::object* entry_of(const json::value& publications, const std::string& key) {
  const json::object* all = publications.if_object();
  const json::value* found = all ? all->if_contains(key) : nullptr;
  return found ? found->if_object() : nullptr;
}

// A remote target's entry when its publication starts: a delivery with a fresh marker, or
// `disabled` when the target refused for good earlier (its config carries "disabled": {...}).
// The entry names the endpoint it goes to, so a delivery never acts on a remote id recorded at
// another address. After a removal that gave up (the post is probably still live there) the
// remote id is carried over, so the delivery updates that post instead of creating a second.
json::object remote_start(std::vector<Delivery>& deliveries, const std::string& id,
                          const TargetSpec& spec, const json::value& config,
                          const json::value& publications, std::string_view now) {
  const json::object* target = target_config(config, spec.index);
  const json::value* disabled = target ? target->if_contains("disabled") : nullptr;
  if (disabled && disabled->is_object()) {
    return {{"status", "disabled"},
            {"error",
             "the target is disabled (it answered 410 Gone); save the brand without "
             "\"disabled\" to enable it again"},
            {"failed_at", now}};
  }
  const std::string endpoint =
      target ? content::string_member(*target, content::endpoint_field(spec.type)) : std::string();
  Delivery d{id, spec.key, spec.type, spec.index, util::uuid_v4(), true};
  json::object entry{{"status", kPending},
                     {"action", "publish"},
                     {"marker", d.marker},
                     {"endpoint", endpoint},
                     {"queued_at", now}};
  if (const json::object* last = entry_of(publications, spec.key)) {
    if (content::string_member(*last, "status") == "failed" &&
        content::string_member(*last, "action") == "unpublish" &&
        content::string_member(*last, "endpoint") == endpoint) {
      for (const char* kept : {"remote_id", "url"})
        if (const json::value* v = last->if_contains(kept)) entry[kept] = *v;
    }
  }
  deliveries.push_back(std::move(d));
  return entry;
}

// A remote target's entry when the item is unpublished: a removal delivery when the post is
// there or on its way (same marker, so the removal can wait for that delivery), nothing else.
std::optional<json::object> remote_stop(std::vector<Delivery>& deliveries, const std::string& id,
                                        const TargetSpec& spec, const json::value& publications,
                                        std::string_view now) {
  const json::object* entry = entry_of(publications, spec.key);
  const json::value* state = entry ? entry->if_contains("status") : nullptr;
  const json::value* marker = entry ? entry->if_contains("marker") : nullptr;
  const json::string* s = state ? state->if_string() : nullptr;
  if (!s || !marker || !marker->is_string() || (*s != "published" && *s != kPending))
    return std::nullopt;
  json::object next = *entry;
  next["status"] = kUnpublishing;
  next["action"] = "unpublish";
  next["queued_at"] = now;
  // A publication attempt that got no answer may have reached the target all the same.
  if (next.contains("uncertain")) next["publish_attempted"] = true;
  next.erase("uncertain");
  next.erase("attempts");
  next.erase("last_error");
  deliveries.push_back(
      Delivery{id, spec.key, spec.type, spec.index, std::string(marker->get_string()), false});
  return next;
}

}  // namespace

std::unique_ptr<Target> make_target(const TargetSpec& spec, const tenancy::ActiveTenant& tenant) {
  if (spec.type == kHostedKey) return std::make_unique<HostedTarget>(tenant->domain.value_or(""));
  return nullptr;
}

asio::awaitable<PublishRun> Publisher::publish(tenancy::TenantTx& tx,
                                               const tenancy::ActiveTenant& tenant,
                                               const std::string& id,
                                               std::string_view expected_status) {
  PublishRun run;
  db::Params lock{param(id)};
  auto item = co_await tx.exec(q::kLockForPublish, std::move(lock));
  if (item.empty()) {
    run.skipped = "the item no longer exists";
    co_return run;
  }
  std::string status(item.get(0, 0));
  if (status != expected_status) {
    run.skipped = "the item is " + status + ", no longer " + std::string(expected_status);
    co_return run;
  }
  const auto now = util::rfc3339_from_postgres(item.get(0, 4));
  std::string why;
  auto post = post_from(id, content::json_cell(item, 0, 1), content::json_cell(item, 0, 2), &why);
  const auto config = content::json_cell(item, 0, 3);
  const auto publications = content::json_cell(item, 0, 5);
  json::object outcomes;
  if (post) {
    for (const auto& spec : target_specs(config)) {
      if (make_remote_target(spec.type)) {
        outcomes[spec.key] = remote_start(run.deliveries, id, spec, config, publications, now);
        continue;
      }
      auto target = make_target(spec, tenant);
      // Not `target ? co_await ... : ...`: GCC 12 destroys a co_await temporary inside a
      // conditional expression twice.
      TargetOutcome outcome = unsupported(spec);
      if (target) outcome = co_await target->publish(*post);
      run.published = run.published || outcome.ok;
      outcomes[spec.key] = outcome_json(outcome, false, now);
    }
  } else {
    TargetOutcome none;
    none.error = why;
    outcomes[std::string(kHostedKey)] = outcome_json(none, false, now);
  }
  run.outcomes_json = json::serialize(outcomes);
  // Nothing published and nothing on its way: a scheduled item goes back to approved, so the
  // tenant can fix and retry.
  std::optional<std::string> to;
  if (run.published || !run.deliveries.empty())
    to = "published";
  else if (status == "scheduled")
    to = "approved";
  db::Params rec{param(id), param(to), param(run.published ? "set" : "keep"),
                 param(run.outcomes_json)};
  auto r = co_await tx.exec(q::kRecord, std::move(rec));
  run.item_json = content::content_item_json(r, 0);
  if (run.published) co_await tx.exec(q::kNotifyBlogChanged);
  co_return run;
}

asio::awaitable<std::string> Publisher::unpublish(tenancy::TenantTx& tx,
                                                  const tenancy::ActiveTenant& tenant,
                                                  const std::string& id, std::string_view status,
                                                  std::vector<Delivery>& deliveries) {
  json::object outcomes;
  if (status == "published") {
    db::Params lock{param(id)};
    auto item = co_await tx.exec(q::kLockForPublish, std::move(lock));
    const auto now = util::rfc3339_from_postgres(item.get(0, 4));
    auto post =
        post_from(id, content::json_cell(item, 0, 1), content::json_cell(item, 0, 2), nullptr);
    const auto publications = content::json_cell(item, 0, 5);
    for (const auto& spec : target_specs(content::json_cell(item, 0, 3))) {
      if (make_remote_target(spec.type)) {
        if (auto entry = remote_stop(deliveries, id, spec, publications, now))
          outcomes[spec.key] = std::move(*entry);
        continue;
      }
      auto target = make_target(spec, tenant);
      if (!target || !post) continue;  // never published there: nothing to remove
      TargetOutcome outcome = co_await target->unpublish(*post);
      outcomes[spec.key] = outcome_json(outcome, true, now);
    }
  }
  db::Params rec{param(id), param("approved"), param("clear"), param(json::serialize(outcomes))};
  auto r = co_await tx.exec(q::kRecord, std::move(rec));
  if (status == "published") co_await tx.exec(q::kNotifyBlogChanged);
  co_return content::content_item_json(r, 0);
}

}  // namespace autoblog::publishing
