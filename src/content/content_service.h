#pragma once
// A tenant's content pipeline items and their performance records: the rules (known statuses,
// legal PATCH transitions, cursors, dates) in one place for every caller, with the errors of
// content/errors.h. Each call is one TenantTx that the service opens for the given ActiveTenant
// and commits itself — one operation, one transaction, usually one round trip — so callers
// cannot forget a commit or mix tenants within a transaction.
// Items are returned as JSON text built by PostgreSQL (passed through to clients unparsed).
// JSON inputs are serialised JSON text; nullopt = SQL NULL.
// Thread-safe (holds the pool only); the pool must outlive the service.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "content/paging.h"
#include "db/pool.h"
#include "tenancy/active_tenant.h"

namespace autoblog::content {

struct NewContent {
  std::string inspiration_json;
  std::optional<std::string> brief_json;  // present and not null: the item starts "briefed"
};

struct ContentChanges {
  std::optional<std::optional<std::string>> brief_json;      // engaged: set it (null clears)
  std::optional<std::optional<std::string>> generated_json;  // engaged: set it (null clears)
  std::optional<std::string> status;                         // a PATCH-legal move only
};

struct NewPerformance {
  std::string metrics_json;
  std::optional<std::string> tracked_at;  // RFC 3339 date-time; default now
};

class ContentService {
 public:
  explicit ContentService(db::Pool& pool) : pool_(pool) {}

  boost::asio::awaitable<std::string> create(const tenancy::ActiveTenant& tenant,
                                             const NewContent& item) const;
  // InvalidInput for an unknown status filter, a malformed cursor or a bad limit.
  boost::asio::awaitable<JsonPage> list(const tenancy::ActiveTenant& tenant,
                                        const std::optional<std::string>& status,
                                        const PageRequest& page) const;
  // NotFound when the tenant has no such item (ids are validated: InvalidInput).
  boost::asio::awaitable<std::string> get(const tenancy::ActiveTenant& tenant,
                                          const std::string& id) const;
  // NotFound; InvalidInput for an unknown status; IllegalTransition for a move PATCH may not
  // make (status.h). The row is locked while the transition is checked.
  // A new generated_content is a review edit (review.h): refused while the item is generating
  // (WrongStatus); its quality_scores are recomputed for the brand's seo_strategy read in the
  // same transaction (null clears them; a bad stored threshold is InvalidInput); when the article
  // really changes, generation records {"human_edited": true, "edited_at"}; a slug another item
  // uses is SlugTaken and nothing changes.
  boost::asio::awaitable<std::string> update(const tenancy::ActiveTenant& tenant,
                                             const std::string& id,
                                             const ContentChanges& changes) const;
  // generated → approved, with the row locked; NotFound; IllegalTransition naming the current
  // status for an item in any other.
  boost::asio::awaitable<std::string> approve(const tenancy::ActiveTenant& tenant,
                                              const std::string& id) const;
  // Deletes the item and its performance records; NotFound.
  boost::asio::awaitable<void> remove(const tenancy::ActiveTenant& tenant,
                                      const std::string& id) const;
  // NotFound for an unknown item; InvalidInput for a tracked_at that is not RFC 3339.
  boost::asio::awaitable<std::string> add_performance(const tenancy::ActiveTenant& tenant,
                                                      const std::string& content_id,
                                                      const NewPerformance& record) const;
  boost::asio::awaitable<JsonPage> list_performance(const tenancy::ActiveTenant& tenant,
                                                    const std::string& content_id,
                                                    const PageRequest& page) const;
  // Items created since midnight UTC (daily quota, GET /v1/tenant usage).
  boost::asio::awaitable<std::int64_t> count_created_today(
      const tenancy::ActiveTenant& tenant) const;

 private:
  db::Pool& pool_;
};

}  // namespace autoblog::content
