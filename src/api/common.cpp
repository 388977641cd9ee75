#include "api/common.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "http/errors.h"
#include "http/json_body.h"
#include "util/random.h"

namespace autoblog::api {

http::Response& with_location(http::Response& res, std::string location) {
  res.headers.emplace_back("Location", std::move(location));
  return res;
}

http::Response job_accepted(std::string body, const std::string& job_id) {
  auto res = http::Response::json(202, std::move(body));
  with_location(res, "/v1/jobs/" + job_id);
  return res;
}

std::string json_id(std::string_view object_json) {
  auto value = boost::json::parse(object_json);
  const auto* id = value.as_object().if_contains("id");
  if (!id) throw std::logic_error("created row has no id");
  if (id->is_string()) return std::string(id->as_string());
  return boost::json::serialize(*id);  // a numeric id
}

std::string uuid_param(const http::Request& req, std::string_view name) {
  const auto& raw = req.param(name);
  if (!util::is_uuid(raw)) throw http::BadRequest(std::string(name) + " must be a UUID");
  return util::normalize_uuid(raw);
}

boost::json::object tenant_json(const tenancy::Tenant& t) {
  boost::json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  if (t.domain)
    o["domain"] = *t.domain;
  else
    o["domain"] = nullptr;
  o["schema_name"] = t.schema_name;
  o["status"] = tenancy::to_string(t.status);
  o["subscription_tier"] = tenancy::to_string(t.tier);
  o["created_at"] = t.created_at;
  o["updated_at"] = t.updated_at;
  return o;
}

boost::json::object limits_json(const tenancy::TierLimits& l) {
  boost::json::object o;
  o["requests_per_hour"] = l.requests_per_hour;
  o["max_concurrent_generations"] = l.max_concurrent_generations;
  o["max_daily_content"] = l.max_daily_content;
  o["ai_model"] = l.ai_model;
  o["image_quality"] = l.image_quality;
  if (l.daily_token_budget < 0)
    o["daily_token_budget"] = nullptr;
  else
    o["daily_token_budget"] = l.daily_token_budget;
  return o;
}

boost::json::object admin_tenant_json(const tenancy::Tenant& t) {
  auto o = tenant_json(t);
  boost::system::error_code ec;
  auto overrides = boost::json::parse(t.limits_json, ec);
  // Re-serialised rather than passed through: PostgreSQL's jsonb text is not compact.
  if (ec || !overrides.is_object()) overrides = boost::json::object();
  o["limits"] = std::move(overrides);
  o["effective_limits"] = limits_json(t.limits);
  return o;
}

std::string list_body(const std::vector<std::string>& items_json,
                      const std::optional<std::string>& next_cursor) {
  std::string out = "{\"items\":[";
  for (std::size_t i = 0; i < items_json.size(); ++i) {
    if (i) out += ',';
    out += items_json[i];
  }
  out += "],\"next_cursor\":";
  out += next_cursor ? boost::json::serialize(boost::json::value(*next_cursor)) : "null";
  out += '}';
  return out;
}

std::optional<std::string> json_text(const boost::json::value* v) {
  if (!v || v->is_null()) return std::nullopt;
  return boost::json::serialize(*v);
}

const tenancy::ActiveTenant& active_caller(const http::Request& req) {
  if (!req.tenant) throw std::logic_error("tenant route reached without a resolved tenant");
  return *req.tenant;
}

content::PageRequest page_request(const http::Request& req) {
  content::PageRequest page;
  page.limit = http::page_limit(req);
  if (auto c = req.query_param("cursor")) page.cursor = std::string(*c);
  return page;
}

http::Response page_response(const content::JsonPage& page) {
  return http::Response::json(200, list_body(page.items, page.next_cursor));
}

}  // namespace autoblog::api
