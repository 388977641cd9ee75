#include "http/error_mapping.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include "db/errors.h"
#include "http/errors.h"
#include "observability/log.h"
#include "storage/object_storage.h"

namespace autoblog::http {

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  boost::json::object inner;
  inner["code"] = code;
  inner["message"] = message;
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return Response::json(status, boost::json::serialize(outer));
}

Middleware error_mapping() {
  return [](Request& req, const Handler& next) -> boost::asio::awaitable<Response> {
    // co_await is not allowed inside a catch block, so capture and answer after it.
    try {
      co_return co_await next(req);
    } catch (const ApiError& e) {
      auto res = error_response(e.status(), e.code(), e.what());
      for (const auto& h : e.headers()) res.headers.push_back(h);
      co_return res;
    } catch (const db::UniqueViolation&) {
      co_return error_response(409, "conflict", "a resource with the same unique value exists");
    } catch (const db::PoolTimeout& e) {
      co_return error_response(503, "unavailable", e.what());
    } catch (const db::QueryTimeout&) {
      co_return error_response(503, "unavailable", "database query exceeded its deadline");
    } catch (const boost::system::system_error& e) {
      // The request was cancelled (its deadline, shutdown, the client left): the server
      // answers 503 or nobody; this is what metrics and the access log record.
      if (e.code() == boost::asio::error::operation_aborted)
        co_return error_response(503, "unavailable", "request cancelled");
      observability::log_error("unhandled error", {{"request_id", req.request_id},
                                                   {"route", req.route},
                                                   {"error", e.what()}});
    } catch (const db::ConnectionError& e) {
      observability::log_error("database unavailable",
                               {{"request_id", req.request_id}, {"error", e.what()}});
      co_return error_response(503, "unavailable", "database unavailable");
    } catch (const storage::StorageUnavailable& e) {
      observability::log_error("storage unavailable",
                               {{"request_id", req.request_id}, {"error", e.what()}});
      co_return error_response(503, "unavailable", "storage unavailable");
    } catch (const db::DbError& e) {
      // The tenant's schema vanished under a request that was already authorised: the tenant
      // was deleted meanwhile (on this node or another). Its next request gets 403 anyway.
      if (req.tenant && (e.sqlstate() == "42P01" || e.sqlstate() == "3F000"))
        co_return error_response(403, "forbidden", "tenant is no longer available");
      // Class 22 (data exception: bad date, number out of range...) is the client's input.
      if (e.sqlstate().rfind("22", 0) == 0)
        co_return error_response(400, "invalid_request", std::string("invalid value: ") + e.what());
      observability::log_error("database error", {{"request_id", req.request_id},
                                                  {"route", req.route},
                                                  {"sqlstate", e.sqlstate()},
                                                  {"error", e.what()}});
    } catch (const std::exception& e) {
      observability::log_error(
          "unhandled error", {{"request_id", req.request_id}, {"route", req.route},
                              {"error", e.what()}});
    }
    co_return error_response(500, "internal", "internal server error (request id " +
                                                  req.request_id + ")");
  };
}

}  // namespace autoblog::http
