#include "jobs/deliver_publication_handler.h"

#include <boost/json.hpp>

#include "content/brand_secrets.h"
#include "content/content_json.h"
#include "jobs/enqueue.h"
#include "jobs/errors.h"
#include "jobs/publication_queries.h"
#include "net/http_client.h"
#include "publishing/delivery_queries.h"
#include "publishing/hosted_target.h"
#include "publishing/rules.h"
#include "storage/object_storage.h"
#include "util/time.h"
#include "util/utf8.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
namespace json = boost::json;
namespace q = publishing::queries;
using db::param;
using publishing::Delivery;

namespace {

// How long a removal waits before looking again at the publication it undoes.
constexpr std::chrono::seconds kWaitForPublication{2};
// What a tenant reads of an error: enough to act on, never a whole response.
constexpr std::size_t kMaxErrorBytes = 500;

// Valid UTF-8 (the entry is jsonb), printable, at most kMaxErrorBytes.
std::string bounded(const std::string& text) {
  return util::printable(text, kMaxErrorBytes);
}

Delivery delivery_of(const ClaimedJob& job) {
  auto d = Delivery::parse(job.payload_json);
  if (!d) throw PermanentFailure("deliver_publication needs the payload its publisher wrote");
  return *d;
}

// Applies `change` to the delivery's entry with the row locked, when the entry still belongs to
// this delivery (same marker); returns false (nothing written) otherwise.
template <typename Change>
asio::awaitable<bool> update_entry(tenancy::TenantTx& tx, const Delivery& d, bool first_success,
                                   Change change) {
  db::Params lock{param(d.content_id), param(d.key)};
  auto r = co_await tx.exec(q::kDeliveryLockEntry, std::move(lock));
  auto current = content::json_cell(r, 0, 0);
  auto* entry = current.if_object();
  if (!entry || content::string_member(*entry, "marker") != d.marker) co_return false;
  change(*entry, util::rfc3339_from_postgres(r.get(0, 1)));
  db::Params set{param(d.content_id), param(d.key), param(json::serialize(*entry)),
                 param(first_success)};
  co_await tx.exec(q::kDeliverySetEntry, std::move(set));
  co_return true;
}

asio::awaitable<void> record_failure(tenancy::TenantTx& tx, const Delivery& d,
                                     const std::string& reason) {
  co_await update_entry(tx, d, false, [&](json::object& e, const std::string& now) {
    e["status"] = "failed";
    e["error"] = bounded(reason);
    e["failed_at"] = now;
    e.erase("last_error");
  });
  db::Params settle{param(d.content_id)};
  co_await tx.exec(q::kDeliverySettle, std::move(settle));
}

}  // namespace

asio::awaitable<void> enqueue_deliveries(tenancy::TenantTx& tx, const tenancy::ActiveTenant& tenant,
                                         const std::vector<Delivery>& deliveries) {
  for (const auto& d : deliveries) {
    if (!d.publish) {
      Delivery undone = d;
      undone.publish = true;
      db::Params cancel{param(undone.job_key()), param("cancelled by unpublish")};
      co_await tx.exec(sql::kCancelQueuedByKey, std::move(cancel));
    }
    NewJob job;
    job.kind = std::string(kDeliverPublication);
    job.priority = Priority::kNormal;
    job.idempotency_key = d.job_key();
    job.max_attempts = kDeliveryAttempts;
    job.payload_json = d.payload_json();
    co_await enqueue(tx, tenant, job);
  }
}

asio::awaitable<std::string> DeliverPublicationHandler::run(JobContext& ctx) {
  const Delivery d = delivery_of(ctx.job());
  const auto& tenant = ctx.tenant();
  auto finish = [&](json::object result) -> asio::awaitable<std::string> {
    result["content_id"] = d.content_id;
    result["target"] = d.key;
    result["action"] = d.publish ? "publish" : "unpublish";
    co_return json::serialize(result);
  };

  db::Result item;
  {
    auto tx = co_await ctx.begin();
    db::Params load{param(d.content_id), param(d.key)};
    item = co_await tx.commit_with(q::kDeliveryLoad, std::move(load));
  }
  // Skipped: nothing to do, the job succeeds saying why. (A named object, not a braced list in
  // the co_await: GCC 12 miscompiles those.)
  json::object skipped;
  if (item.empty()) {
    skipped["skipped"] = "the item no longer exists";
    co_return co_await finish(std::move(skipped));
  }
  auto entry_value = content::json_cell(item, 0, 4);
  const auto* entry = entry_value.if_object();
  const std::string want(d.publish ? publishing::kPending : publishing::kUnpublishing);
  if (!entry || content::string_member(*entry, "marker") != d.marker ||
      content::string_member(*entry, "status") != want) {
    skipped["skipped"] = "the item's publication moved on";
    co_return co_await finish(std::move(skipped));
  }
  if (d.publish && item.get(0, 0) != "published") {
    // Archived (or otherwise moved on) while the delivery waited: nothing goes out.
    skipped["skipped"] = "the item is " + std::string(item.get(0, 0)) + ", no longer published";
    co_return co_await finish(std::move(skipped));
  }

  if (!d.publish) {
    // The publication being undone may still be creating the post: wait for its remote id. A
    // failed attempt of it may have queued itself again since the unpublish: cancel that first.
    Delivery publication = d;
    publication.publish = true;
    auto tx = co_await ctx.begin();
    db::Params cancel{param(publication.job_key()), param("cancelled by unpublish")};
    co_await tx.exec(sql::kCancelQueuedByKey, std::move(cancel));
    db::Params key{param(publication.job_key())};
    auto running = co_await tx.exec(q::kDeliveryRunning, std::move(key));
    co_await tx.commit();
    if (!running.empty())
      throw Snooze(kWaitForPublication, "waiting for the publication it removes");
  }

  const auto config = content::json_cell(item, 0, 3);
  const json::object* target_cfg = publishing::target_config(config, d.index);
  auto target = publishing::make_remote_target(d.type);
  std::string why;
  auto post = publishing::post_from(d.content_id, content::json_cell(item, 0, 1),
                                    content::json_cell(item, 0, 2), &why);
  if (!target || !target_cfg || content::string_member(*target_cfg, "type") != d.type || !post) {
    const std::string reason =
        !post ? why : "the target is no longer in the brand's publishing_config";
    throw PermanentFailure(reason);
  }

  // A remote id belongs to the address it was recorded at: the brand may have pointed the
  // target elsewhere since. A publication then starts afresh there; a removal leaves the post
  // where it is (AutoBlog no longer has the address's credentials) and says so.
  const std::string endpoint = content::string_member(*target_cfg, content::endpoint_field(d.type));
  const bool moved =
      entry->contains("endpoint") && content::string_member(*entry, "endpoint") != endpoint;
  publishing::RemoteRecord prior;
  if (!moved) {
    if (auto id = content::string_member(*entry, "remote_id"); !id.empty()) prior.remote_id = id;
    if (auto url = content::string_member(*entry, "url"); !url.empty()) prior.url = url;
  }
  prior.attempted = entry->contains("publish_attempted");
  if (moved && !d.publish) {
    auto tx = co_await ctx.begin();
    co_await update_entry(tx, d, false, [&](json::object& e, const std::string& now) {
      e["status"] = "unpublished";
      e["unpublished_at"] = now;
      e["note"] = "not removed: the target now points at another address; the post stays at " +
                  content::string_member(e, "endpoint");
    });
    json::object result{{"delivered", false}, {"skipped", "the target moved"}};
    auto text = co_await finish(std::move(result));
    co_await ctx.complete(tx, text);
    co_return text;
  }
  const auto domain = tenant->domain.value_or("");
  publishing::RemoteCall call{
      .http = http_,
      .config = *target_cfg,
      .tenant_id = tenant.id(),
      .marker = d.marker,
      .public_url = std::nullopt,
      .published_at = item.is_null(0, 5) ? util::format_rfc3339(std::chrono::system_clock::now())
                                         : util::rfc3339_from_postgres(item.get(0, 5)),
      .deadline = std::chrono::steady_clock::now() + call_timeout_,
      .load_image = {},
      .remember = {},
      .image_url = std::nullopt};
  if (!domain.empty()) {
    call.public_url = publishing::hosted_post_url(domain, post->slug);
    if (post->image_key) call.image_url = publishing::hosted_image_url(domain, *post->image_key);
  }
  auto& storage = storage_;
  const std::string tenant_id = tenant.id();
  std::optional<std::string> image_key = post->image_key;
  std::string slug = post->slug;
  call.load_image = [&storage, tenant_id, image_key,
                     slug]() -> asio::awaitable<std::optional<publishing::PostImage>> {
    if (!image_key) co_return std::nullopt;
    auto object = co_await storage.get(tenant_id, *image_key);
    if (!object) co_return std::nullopt;
    const auto dot = image_key->rfind('.');
    const std::string ext = dot == std::string::npos ? "" : image_key->substr(dot);
    co_return publishing::PostImage{std::move(object->body), object->info.content_type, slug + ext};
  };
  call.remember = [&ctx, &d](const publishing::RemoteRecord& rec) -> asio::awaitable<void> {
    auto tx = co_await ctx.begin();
    // Only while this worker holds the job: a worker that lost its lease must not overwrite
    // what the one now running it recorded (LeaseLost stops the adapter too).
    co_await ctx.hold(tx);
    co_await update_entry(tx, d, false, [&](json::object& e, const std::string&) {
      if (rec.remote_id) e["remote_id"] = *rec.remote_id;
      if (rec.url) e["url"] = *rec.url;
    });
    co_await tx.commit();
  };

  publishing::TargetOutcome outcome;
  std::optional<publishing::TargetRefused> refused;
  std::string transient;
  bool uncertain = false;
  try {
    if (d.publish)
      outcome = co_await target->publish(*post, prior, call);
    else
      outcome = co_await target->unpublish(*post, prior, call);
  } catch (const publishing::TargetRefused& e) {
    refused = e;
  } catch (const LeaseLost&) {
    throw;
  } catch (const std::exception& e) {
    transient = e.what();
    // No answer read after the request went out: the target may have acted on it.
    uncertain =
        dynamic_cast<const net::Timeout*>(&e) || dynamic_cast<const net::TransferFailed*>(&e);
  }

  if (refused) {
    if (refused->disable) {
      auto tx = co_await ctx.begin();
      db::Params off{param(std::to_string(d.index)),
                     param(content::string_member(*target_cfg, "url")),
                     param(json::serialize(json::object{{"reason", refused->what()}}))};
      co_await tx.commit_with(q::kDisableTarget, std::move(off));
    }
    throw PermanentFailure(refused->what());
  }
  if (!transient.empty()) {
    // Counted on the entry so the tenant sees the retries; the job's backoff does the waiting.
    auto tx = co_await ctx.begin();
    co_await update_entry(tx, d, false, [&](json::object& e, const std::string& now) {
      const auto* n = e.if_contains("attempts");
      e["attempts"] = (n && n->is_int64() ? n->as_int64() : 0) + 1;
      e["last_error"] = bounded(transient);
      e["last_attempt_at"] = now;
      if (uncertain) e["uncertain"] = true;
    });
    co_await tx.commit();
    throw std::runtime_error(transient);
  }

  auto tx = co_await ctx.begin();
  const bool applied =
      co_await update_entry(tx, d, d.publish, [&](json::object& e, const std::string& now) {
        // A removal queued while this publication ran keeps its status (it runs next).
        if (d.publish && content::string_member(e, "status") == publishing::kPending)
          e["status"] = "published";
        if (d.publish) e["endpoint"] = endpoint;
        if (!d.publish) e["status"] = "unpublished";
        e[d.publish ? "published_at" : "unpublished_at"] = now;
        if (outcome.remote_id) e["remote_id"] = *outcome.remote_id;
        if (outcome.url) e["url"] = *outcome.url;
        if (outcome.error) e["note"] = bounded(*outcome.error);
        e.erase("last_error");
      });
  json::object result{{"delivered", applied}};
  if (outcome.remote_id) result["remote_id"] = *outcome.remote_id;
  if (outcome.url) result["url"] = *outcome.url;
  auto text = co_await finish(std::move(result));
  co_await ctx.complete(tx, text);
  co_return text;
}

asio::awaitable<void> DeliverPublicationHandler::given_up(tenancy::TenantTx& tx,
                                                          const ClaimedJob& job,
                                                          const std::string& reason) {
  auto d = Delivery::parse(job.payload_json);
  if (d) co_await record_failure(tx, *d, reason);
}

}  // namespace autoblog::jobs
