#pragma once
// Runs an item's publication (or its removal) at every target of the brand, inside the caller's
// TenantTx, and records each target's outcome on the item (`publications`, by target key). The
// item becomes `published` with `published_at` when at least one target succeeded; the hosted
// blog of every node is told at commit (NOTIFY, see tenancy/change_listener.h).
// The hosted target works in the transaction because it changes nothing outside the database.
// Remote targets (webhook, WordPress, Ghost) are only recorded here as `pending` (or
// `unpublishing`), with a Delivery the caller enqueues in the same transaction; their jobs do
// the network calls later, outside the row lock (delivery.h). An item with deliveries pending is
// `published` already; published_at is set by the first target that succeeds.
// Stateless: thread-safe.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "publishing/delivery.h"
#include "publishing/rules.h"
#include "tenancy/active_tenant.h"
#include "tenancy/tenant_tx.h"

namespace autoblog::publishing {

struct PublishRun {
  bool published = false;  // at least one target succeeded
  std::vector<Delivery> deliveries;  // remote targets to run: enqueue each in the transaction
  std::optional<std::string> skipped;  // why nothing was done (the item moved on meanwhile)
  std::string outcomes_json = "{}";    // what was recorded, by target key
  std::string item_json;               // the item after the run (empty when skipped)
};

class Publisher {
 public:
  // Publishes item `id` if it is still in `expected_status` (approved for an immediate publish,
  // scheduled for a scheduled one); otherwise skipped, nothing changes. A missing item is
  // skipped too (deleted meanwhile). Does not commit.
  static boost::asio::awaitable<PublishRun> publish(tenancy::TenantTx& tx,
                                                    const tenancy::ActiveTenant& tenant,
                                                    const std::string& id,
                                                    std::string_view expected_status);
  // Removes a published item from every target that has it (status back to `approved`,
  // published_at cleared), or takes a scheduled item back to `approved`. The caller has checked
  // the status with the row locked (unpublish_refusal). Remote targets that have (or are
  // getting) the post get a removal delivery in `deliveries`. Does not commit. Returns the item
  // JSON.
  static boost::asio::awaitable<std::string> unpublish(tenancy::TenantTx& tx,
                                                       const tenancy::ActiveTenant& tenant,
                                                       const std::string& id,
                                                       std::string_view status,
                                                       std::vector<Delivery>& deliveries);
};

// The adapter for one target of the brand, or nullptr for a type this build cannot publish to
// (its outcome then says so).
std::unique_ptr<Target> make_target(const TargetSpec& spec, const tenancy::ActiveTenant& tenant);

}  // namespace autoblog::publishing
