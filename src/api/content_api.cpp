#include <boost/json/serialize.hpp>

#include "api/common.h"
#include "api/tenant_api.h"
#include "content/content_queries.h"
#include "content/status.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "tenancy/tenant_tx.h"
#include "util/cursor.h"
#include "util/utf8.h"

namespace autoblog::api {

namespace asio = boost::asio;
namespace q = content::queries;
using db::param;
using db::Params;
using http::Audience;
using http::Request;
using http::Response;

namespace {


// Cursor parameters ($2, $3) for the keyset queries; 400 on a malformed cursor.
void add_cursor_params(const Request& req, Params& p) {
  auto raw = req.query_param("cursor");
  if (!raw) {
    p.push_back(std::nullopt);
    p.push_back(std::nullopt);
    return;
  }
  auto c = util::decode_cursor(*raw);
  if (!c) throw http::BadRequest("cursor is malformed");
  p.push_back(param(c->timestamp));
  p.push_back(param(c->id));
}

// Rows of (json, sort timestamp, id), one more than the page: the page and its next cursor.
Response page_response(const db::Result& r, int limit) {
  std::vector<std::string> items;
  int n = std::min(r.rows(), limit);
  for (int i = 0; i < n; ++i) items.emplace_back(r.get(i, 0));
  std::optional<std::string> next;
  if (r.rows() > limit && n > 0)
    next = util::encode_cursor({std::string(r.get(n - 1, 1)), std::string(r.get(n - 1, 2))});
  return Response::json(200, list_body(items, next));
}

// RFC 3339 date-time (the database checks the calendar): YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM).
bool looks_like_rfc3339(std::string_view s) {
  auto digits = [&](std::size_t from, std::size_t n) {
    if (from + n > s.size()) return false;
    for (std::size_t i = from; i < from + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  if (s.size() < 20 || !digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' ||
      !digits(8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' ||
      !digits(14, 2) || s[16] != ':' || !digits(17, 2))
    return false;
  std::size_t i = 19;
  if (s[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  if (i == s.size() - 1 && (s[i] == 'Z' || s[i] == 'z')) return true;
  return i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(i + 1, 2) &&
         s[i + 3] == ':' && digits(i + 4, 2);
}

}  // namespace

void add_content_routes(http::Router& router, db::Pool& pool) {
  router.add("POST", "/v1/content", Audience::kTenant,
             "Create a content item (status inspiration, or briefed with a brief)",
             [&pool](Request& req) -> asio::awaitable<Response> {
               auto body = http::parse_json_object(req);
               http::require_known_fields(body, {"inspiration_data", "content_brief"});
               auto* inspiration = http::object_field(body, "inspiration_data");
               if (!inspiration) throw http::BadRequest("field 'inspiration_data' is required");
               auto* brief = http::object_field(body, "content_brief", true);
               bool has_brief = brief && !brief->is_null();
               Params p{param(has_brief ? "briefed" : "inspiration"), json_param(inspiration),
                        json_param(brief)};
               auto tx = co_await tenancy::TenantTx::begin(pool, caller(req));
               auto r = co_await tx.commit_with(q::kInsert, std::move(p));
               co_return Response::json(201, std::string(r.get(0, 0)));
             });

  router.add("GET", "/v1/content", Audience::kTenant,
             "List content items, newest first (?status=, ?limit=, ?cursor=)",
             [&pool](Request& req) -> asio::awaitable<Response> {
               int limit = http::page_limit(req);
               Params p;
               if (auto s = req.query_param("status")) {
                 if (!content::is_known_status(*s))
                   throw http::BadRequest("unknown status '" + util::printable(*s) + "'");
                 p.push_back(param(*s));
               } else {
                 p.push_back(std::nullopt);
               }
               add_cursor_params(req, p);
               p.push_back(param(limit + 1));
               auto tx = co_await tenancy::TenantTx::begin(pool, caller(req));
               auto r = co_await tx.commit_with(q::kList, std::move(p));
               co_return page_response(r, limit);
             });

  router.add("GET", "/v1/content/{id}", Audience::kTenant, "Get a content item",
             [&pool](Request& req) -> asio::awaitable<Response> {
               Params p{param(uuid_param(req, "id"))};
               auto tx = co_await tenancy::TenantTx::begin(pool, caller(req));
               auto r = co_await tx.commit_with(q::kGet, std::move(p));
               if (r.empty()) throw http::NotFound("content item not found");
               co_return Response::json(200, std::string(r.get(0, 0)));
             });

  router.add(
      "PATCH", "/v1/content/{id}", Audience::kTenant,
      "Change a content item's brief, generated content or status (legal transitions only)",
      [&pool](Request& req) -> asio::awaitable<Response> {
        auto id = uuid_param(req, "id");
        auto body = http::parse_json_object(req);
        http::require_known_fields(body, {"content_brief", "generated_content", "status"});
        auto* brief = http::object_field(body, "content_brief", true);
        auto* generated = http::object_field(body, "generated_content", true);
        auto status = http::string_field(body, "status");
        if (status && !content::is_known_status(*status))
          throw http::BadRequest("unknown status '" + *status + "'");
        auto tx = co_await tenancy::TenantTx::begin(pool, caller(req));
        Params lock{param(id)};
        auto current = co_await tx.exec(q::kLockStatus, std::move(lock));
        if (current.empty()) throw http::NotFound("content item not found");
        std::string from(current.get(0, 0));
        if (status && *status != from && !content::is_patchable_transition(from, *status))
          throw http::Conflict("cannot change status from " + from + " to " + *status);
        Params p{param(id),         param(brief != nullptr),     json_param(brief),
                 param(generated != nullptr), json_param(generated),
                 status ? param(*status) : std::nullopt};
        auto r = co_await tx.commit_with(q::kUpdate, std::move(p));
        co_return Response::json(200, std::string(r.get(0, 0)));
      });

  router.add("DELETE", "/v1/content/{id}", Audience::kTenant,
             "Delete a content item and its performance records",
             [&pool](Request& req) -> asio::awaitable<Response> {
               Params p{param(uuid_param(req, "id"))};
               auto tx = co_await tenancy::TenantTx::begin(pool, caller(req));
               auto r = co_await tx.commit_with(q::kDelete, std::move(p));
               if (r.affected() == 0) throw http::NotFound("content item not found");
               co_return Response::no_content();
             });

  router.add("POST", "/v1/content/{id}/performance", Audience::kTenant,
             "Record performance metrics for a content item",
             [&pool](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               auto body = http::parse_json_object(req);
               http::require_known_fields(body, {"metrics", "tracked_at"});
               auto* metrics = http::object_field(body, "metrics");
               if (!metrics) throw http::BadRequest("field 'metrics' is required");
               auto tracked_at = http::string_field(body, "tracked_at");
               if (tracked_at && !looks_like_rfc3339(*tracked_at))
                 throw http::BadRequest("tracked_at must be an RFC 3339 date-time");
               Params p{param(id), json_param(metrics), param(tracked_at)};
               auto tx = co_await tenancy::TenantTx::begin(pool, caller(req));
               auto r = co_await tx.commit_with(q::kInsertPerformance, std::move(p));
               if (r.empty()) throw http::NotFound("content item not found");
               co_return Response::json(201, std::string(r.get(0, 0)));
             });

  router.add("GET", "/v1/content/{id}/performance", Audience::kTenant,
             "List a content item's performance records, newest first",
             [&pool](Request& req) -> asio::awaitable<Response> {
               auto id = uuid_param(req, "id");
               int limit = http::page_limit(req);
               Params p{param(id)};
               add_cursor_params(req, p);
               p.push_back(param(limit + 1));
               auto tx = co_await tenancy::TenantTx::begin(pool, caller(req));
               Params exists{param(id)};
               auto e = co_await tx.exec(q::kContentExists, std::move(exists));
               if (!e.get_bool(0, 0)) throw http::NotFound("content item not found");
               auto r = co_await tx.commit_with(q::kListPerformance, std::move(p));
               co_return page_response(r, limit);
             });
}

}  // namespace autoblog::api
