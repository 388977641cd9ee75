#include "content/content_service.h"

#include <algorithm>
#include <boost/json/value.hpp>
#include <cctype>

#include "content/content_json.h"
#include "content/content_queries.h"
#include "content/errors.h"
#include "content/item_id.h"
#include "content/paging.h"
#include "content/review.h"
#include "content/status.h"
#include "db/errors.h"
#include "tenancy/tenant_tx.h"
#include "util/cursor.h"
#include "util/time.h"
#include "util/utf8.h"

namespace autoblog::content {

namespace asio = boost::asio;
namespace json = boost::json;
namespace q = queries;
using db::param;
using db::Params;
using tenancy::ActiveTenant;
using tenancy::TenantTx;

namespace {

void check_status(const std::string& status) {
  if (!is_known_status(status))
    throw InvalidInput("unknown status '" + util::printable(status) + "'");
}

}  // namespace

asio::awaitable<std::string> ContentService::create(const ActiveTenant& tenant,
                                                    const NewContent& item) const {
  Params p{param(item.brief_json ? "briefed" : "inspiration"), param(item.inspiration_json),
           param(item.brief_json)};
  auto tx = co_await TenantTx::begin(pool_, tenant);
  auto r = co_await tx.commit_with(q::kInsert, std::move(p));
  co_return content_item_json(r, 0);
}

asio::awaitable<JsonPage> ContentService::list(const ActiveTenant& tenant,
                                               const std::optional<std::string>& status,
                                               const PageRequest& page) const {
  check_limit(page.limit);
  Params p;
  if (status) check_status(*status);
  p.push_back(param(status));
  add_cursor_params(page.cursor, p);
  p.push_back(param(page.limit + 1));
  auto tx = co_await TenantTx::begin(pool_, tenant);
  auto r = co_await tx.commit_with(q::kList, std::move(p));
  co_return page_of(r, page.limit, content_item_json, content_cursor_timestamp);
}

asio::awaitable<std::string> ContentService::get(const ActiveTenant& tenant,
                                                 const std::string& id) const {
  Params p{param(checked_item_id(id))};
  auto r = co_await TenantTx::read_one(pool_, tenant, q::kGet, std::move(p));
  if (r.empty()) throw NotFound();
  co_return content_item_json(r, 0);
}

asio::awaitable<std::string> ContentService::update(const ActiveTenant& tenant,
                                                    const std::string& id,
                                                    const ContentChanges& changes) const {
  auto checked = checked_item_id(id);
  if (changes.status) check_status(*changes.status);
  // Parsed before the transaction: a body that is not JSON costs no round trip.
  std::optional<json::value> generated;
  if (changes.generated_json) generated = parse_json_text(*changes.generated_json);
  auto tx = co_await TenantTx::begin(pool_, tenant);
  Params lock{param(checked)};
  auto current = co_await tx.exec(q::kLockForEdit, std::move(lock));
  if (current.empty()) throw NotFound();
  std::string from(current.get(0, 0));
  const auto& to = changes.status;
  if (to && *to != from && !is_patchable_transition(from, *to))
    throw IllegalTransition("cannot change status from " + from + " to " + *to);
  std::optional<std::string> scores, edit;
  if (generated) {
    if (auto refusal = edit_refusal(from)) throw WrongStatus(*refusal);
    auto seo = current.is_null(0, 1) ? std::nullopt : std::optional<std::string>(current.get(0, 1));
    scores = edited_scores(*generated, parse_json_text(seo));
    edit = edit_record(util::rfc3339_from_postgres(current.get(0, 2)));
  }
  Params p{param(checked),
           param(changes.brief_json.has_value()),
           changes.brief_json ? param(*changes.brief_json) : std::nullopt,
           param(generated.has_value()),
           changes.generated_json ? param(*changes.generated_json) : std::nullopt,
           param(to),
           param(scores),
           param(edit)};
  std::optional<db::Result> r;
  try {
    r = co_await tx.commit_with(q::kUpdate, std::move(p));
  } catch (const db::UniqueViolation& e) {
    // The slug index is the one unique value a client can fix by choosing another; any other
    // violation passes on as it is (the generic conflict).
    if (e.constraint() != q::kSlugIndex || !generated) throw;
    auto slug = claimed_slug(*generated).value_or("");
    throw SlugTaken("slug '" + util::printable(slug) + "' is already used by another item");
  }
  co_return content_item_json(*r, 0);
}

asio::awaitable<std::string> ContentService::approve(const ActiveTenant& tenant,
                                                     const std::string& id) const {
  auto checked = checked_item_id(id);
  auto tx = co_await TenantTx::begin(pool_, tenant);
  Params lock{param(checked)};
  auto current = co_await tx.exec(q::kLockStatus, std::move(lock));
  if (current.empty()) throw NotFound();
  if (auto refusal = approval_refusal(current.get(0, 0))) throw IllegalTransition(*refusal);
  Params p{param(checked)};
  auto r = co_await tx.commit_with(q::kApprove, std::move(p));
  co_return content_item_json(r, 0);
}

asio::awaitable<void> ContentService::remove(const ActiveTenant& tenant,
                                             const std::string& id) const {
  Params p{param(checked_item_id(id))};
  auto tx = co_await TenantTx::begin(pool_, tenant);
  auto r = co_await tx.commit_with(q::kDelete, std::move(p));
  if (r.affected() == 0) throw NotFound();
}

asio::awaitable<std::string> ContentService::add_performance(const ActiveTenant& tenant,
                                                             const std::string& content_id,
                                                             const NewPerformance& record) const {
  auto id = checked_item_id(content_id);
  if (record.tracked_at && !util::looks_like_rfc3339(*record.tracked_at))
    throw InvalidInput("tracked_at must be an RFC 3339 date-time");
  Params p{param(id), param(record.metrics_json), param(record.tracked_at)};
  auto tx = co_await TenantTx::begin(pool_, tenant);
  auto r = co_await tx.commit_with(q::kInsertPerformance, std::move(p));
  if (r.empty()) throw NotFound();
  co_return performance_json(r, 0);
}

asio::awaitable<JsonPage> ContentService::list_performance(const ActiveTenant& tenant,
                                                           const std::string& content_id,
                                                           const PageRequest& page) const {
  auto id = checked_item_id(content_id);
  check_limit(page.limit);
  Params p{param(id)};
  add_cursor_params(page.cursor, p);
  p.push_back(param(page.limit + 1));
  auto tx = co_await TenantTx::begin(pool_, tenant);
  Params exists{param(id)};
  auto e = co_await tx.exec(q::kContentExists, std::move(exists));
  if (!e.get_bool(0, 0)) throw NotFound();
  auto r = co_await tx.commit_with(q::kListPerformance, std::move(p));
  co_return page_of(r, page.limit, performance_json, performance_cursor_timestamp);
}

asio::awaitable<std::int64_t> ContentService::count_created_today(
    const ActiveTenant& tenant) const {
  auto tx = co_await TenantTx::begin(pool_, tenant);
  auto r = co_await tx.commit_with(q::kCountContentToday);
  co_return r.get_int(0, 0);
}

}  // namespace autoblog::content
