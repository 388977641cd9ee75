#include "jobs/auto_generate.h"

#include <boost/json/array.hpp>
#include <optional>
#include <stdexcept>

#include "jobs/generation_service.h"

namespace autoblog::jobs {

namespace json = boost::json;

// A unit is reserved before its item moves: the items were created in this transaction, unseen
// by anyone else, so they can always move, and nothing is left half done when the quota refuses.
boost::asio::awaitable<json::object> auto_generate(tenancy::TenantTx& tx,
                                                   const tenancy::ActiveTenant& tenant,
                                                   const std::vector<std::string>& created,
                                                   int wanted) {
  json::array generations;
  std::optional<std::string> stopped;
  for (const auto& id : created) {
    if (generations.size() >= static_cast<std::size_t>(wanted)) break;
    auto day = co_await reserve_content_unit(tx, tenant);
    if (!day) {
      stopped = "quota_exceeded";
      break;
    }
    auto previous = co_await start_generating(tx, id);
    if (!previous) throw std::logic_error("auto_generate: an item of this run cannot generate");
    auto job = co_await enqueue_generation(tx, tenant, id, *previous, *day);
    generations.push_back(json::object{{"content_id", id}, {"job_id", job.id}});
  }
  json::object out{{"requested", wanted},
                   {"started", static_cast<std::int64_t>(generations.size())},
                   {"generations", std::move(generations)}};
  if (stopped) out["stopped"] = *stopped;
  co_return out;
}

}  // namespace autoblog::jobs
