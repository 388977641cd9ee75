#include "jobs/publication_service.h"

#include <boost/json.hpp>

#include "content/content_json.h"
#include "content/errors.h"
#include "content/item_id.h"
#include "db/errors.h"
#include "jobs/deliver_publication_handler.h"
#include "jobs/publication_queries.h"
#include "publishing/publisher.h"
#include "publishing/rules.h"
#include "tenancy/tenant_tx.h"
#include "util/time.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
namespace json = boost::json;
using db::param;

namespace {

std::string publish_key(const std::string& id) {
  return "publish:" + id;
}

}  // namespace

asio::awaitable<PublishRequested> PublicationService::publish(
    const tenancy::ActiveTenant& tenant, const std::string& content_id,
    const std::optional<std::string>& publish_at) const {
  auto id = content::checked_item_id(content_id);
  if (publish_at && !util::looks_like_rfc3339(*publish_at))
    throw content::InvalidInput("publish_at must be an RFC 3339 date-time");
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  db::Result item;
  try {
    db::Params lock{param(id), param(publish_at)};
    item = co_await tx.exec(sql::kLockForPublishRequest, std::move(lock));
  } catch (const db::DbError& e) {
    // Class 22 (data exception): a date the calendar does not have, out of range.
    if (e.sqlstate().starts_with("22"))
      throw content::InvalidInput("publish_at is not a valid date-time");
    throw;
  }
  if (item.empty()) throw content::NotFound();
  std::string status(item.get(0, 0));
  if (auto refusal = publishing::publish_refusal(status))
    throw content::IllegalTransition(*refusal);
  std::string why;
  if (!publishing::post_from(id, content::json_cell(item, 0, 1), content::json_cell(item, 0, 2),
                             &why))
    throw content::IllegalTransition(why);
  if (auto busy = publishing::delivery_in_progress(content::json_cell(item, 0, 4)))
    throw content::IllegalTransition(*busy);
  const auto delay = std::chrono::milliseconds(item.get_int(0, 3));
  const bool scheduled = delay.count() > 0;

  db::Params cancel{param(publish_key(id)), param("replaced by a newer publish request")};
  co_await tx.exec(sql::kCancelQueuedByKey, std::move(cancel));
  NewJob job;
  job.kind = std::string(kPublishContent);
  job.priority = Priority::kNormal;
  job.idempotency_key = publish_key(id);
  job.delay = delay;
  job.payload_json = json::serialize(
      json::object{{"content_id", id}, {"expect", scheduled ? "scheduled" : "approved"}});
  auto enqueued = co_await enqueue(tx, tenant, job);
  db::Params set{param(id), param(scheduled ? "scheduled" : "approved")};
  auto r = co_await tx.commit_with(sql::kSetStatus, std::move(set));
  co_return PublishRequested{content::content_item_json(r, 0), std::move(enqueued)};
}

asio::awaitable<std::string> PublicationService::unpublish(const tenancy::ActiveTenant& tenant,
                                                           const std::string& content_id) const {
  auto id = content::checked_item_id(content_id);
  auto tx = co_await tenancy::TenantTx::begin(pool_, tenant);
  db::Params lock{param(id)};
  auto item = co_await tx.exec(content::queries::kLockStatus, std::move(lock));
  if (item.empty()) throw content::NotFound();
  std::string status(item.get(0, 0));
  if (auto refusal = publishing::unpublish_refusal(status))
    throw content::IllegalTransition(*refusal);
  db::Params cancel{param(publish_key(id)), param("cancelled by unpublish")};
  co_await tx.exec(sql::kCancelQueuedByKey, std::move(cancel));
  std::vector<publishing::Delivery> removals;
  auto json = co_await publishing::Publisher::unpublish(tx, tenant, id, status, removals);
  co_await enqueue_deliveries(tx, tenant, removals);
  co_await tx.commit();
  co_return json;
}

}  // namespace autoblog::jobs
