#include "jobs/generation_payload.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "jobs/generation_queries.h"
#include "util/time.h"

namespace autoblog::jobs {

std::string GenerationPayload::to_json() const {
  boost::json::object o;
  o["content_id"] = content_id;
  o["previous_status"] = previous_status;
  return boost::json::serialize(o);
}

std::optional<GenerationPayload> GenerationPayload::parse(std::string_view json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* id = v.as_object().if_contains("content_id");
  if (!id || !id->is_string()) return std::nullopt;
  GenerationPayload p{std::string(id->as_string()), "failed"};
  if (auto* s = v.as_object().if_contains("previous_status"); s && s->is_string())
    p.previous_status = std::string(s->as_string());
  return p;
}

boost::asio::awaitable<void> leave_generating(tenancy::TenantTx& tx,
                                              const GenerationPayload& payload,
                                              std::string status,
                                              std::optional<std::string> reason) {
  std::optional<std::string> at;
  if (reason) at = util::format_rfc3339_millis(std::chrono::system_clock::now());
  db::Params params{db::param(payload.content_id), db::param(std::move(status)), std::move(reason),
                    std::move(at)};
  co_await tx.exec(sql::kLeaveGenerating, std::move(params));
}

}  // namespace autoblog::jobs
