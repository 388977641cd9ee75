#include "publishing/publisher.h"

#include <boost/json.hpp>

#include "content/content_json.h"
#include "publishing/hosted_target.h"
#include "publishing/publishing_queries.h"
#include "util/time.h"

namespace autoblog::publishing {

namespace asio = boost::asio;
namespace json = boost::json;
namespace q = queries;
using db::param;

namespace {

json::value parse_or_null(const db::Result& r, int col) {
  if (r.is_null(0, col)) return nullptr;
  boost::system::error_code ec;
  auto v = json::parse(r.get(0, col), ec);
  return ec ? json::value(nullptr) : v;
}

TargetOutcome unsupported(const TargetSpec& spec) {
  TargetOutcome out;
  out.error = spec.type.empty()
                  ? std::string("publishing target without a type")
                  : "publishing target type '" + spec.type + "' is not supported by this server";
  return out;
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
  auto post = post_from(id, parse_or_null(item, 1), parse_or_null(item, 2), &why);
  json::object outcomes;
  if (post) {
    for (const auto& spec : target_specs(parse_or_null(item, 3))) {
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
  // Nothing published: a scheduled item goes back to approved, so the tenant can fix and retry.
  std::optional<std::string> to;
  if (run.published) to = "published";
  else if (status == "scheduled") to = "approved";
  db::Params rec{param(id), param(to), param(run.published ? "set" : "keep"),
                 param(run.outcomes_json)};
  auto r = co_await tx.exec(q::kRecord, std::move(rec));
  run.item_json = content::content_item_json(r, 0);
  if (run.published) co_await tx.exec(q::kNotifyBlogChanged);
  co_return run;
}

asio::awaitable<std::string> Publisher::unpublish(tenancy::TenantTx& tx,
                                                  const tenancy::ActiveTenant& tenant,
                                                  const std::string& id, std::string_view status) {
  json::object outcomes;
  if (status == "published") {
    db::Params lock{param(id)};
    auto item = co_await tx.exec(q::kLockForPublish, std::move(lock));
    const auto now = util::rfc3339_from_postgres(item.get(0, 4));
    auto post = post_from(id, parse_or_null(item, 1), parse_or_null(item, 2), nullptr);
    for (const auto& spec : target_specs(parse_or_null(item, 3))) {
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
