#include "jobs/publish_content_handler.h"

#include <boost/json.hpp>

#include "jobs/deliver_publication_handler.h"
#include "jobs/errors.h"
#include "publishing/publisher.h"
#include "util/random.h"

namespace autoblog::jobs {

namespace asio = boost::asio;
namespace json = boost::json;

asio::awaitable<std::string> PublishContentHandler::run(JobContext& ctx) {
  boost::system::error_code ec;
  auto payload = json::parse(ctx.job().payload_json, ec);
  const json::object* p = ec ? nullptr : payload.if_object();
  const json::string* id = p && p->contains("content_id") ? p->at("content_id").if_string() : nullptr;
  const json::string* expect = p && p->contains("expect") ? p->at("expect").if_string() : nullptr;
  if (!id || !expect || !util::is_uuid(*id))
    throw PermanentFailure("publish_content needs content_id (a UUID) and expect");
  auto tx = co_await ctx.begin();
  auto run = co_await publishing::Publisher::publish(tx, ctx.tenant(), std::string(*id),
                                                     std::string(*expect));
  json::object result{{"content_id", *id}, {"published", run.published}};
  if (run.skipped) result["skipped"] = *run.skipped;
  else result["targets"] = json::parse(run.outcomes_json);
  co_await enqueue_deliveries(tx, ctx.tenant(), run.deliveries);
  if (!run.skipped && !run.published && run.deliveries.empty()) {
    // Keep the outcomes (and the item's return to approved), then fail the job with them.
    co_await tx.commit();
    throw PermanentFailure("no publishing target succeeded: " + run.outcomes_json);
  }
  co_await ctx.complete(tx, json::serialize(result));
  co_return json::serialize(result);
}

}  // namespace autoblog::jobs
