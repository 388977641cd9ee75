#include "http/error_mapping.h"

#include <boost/asio/error.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>
#include <boost/json/value.hpp>

#include "http/errors.h"
#include "observability/log.h"
#include "util/utf8.h"

namespace autoblog::http {

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  boost::json::object inner;
  inner["code"] = code;
  // Messages may quote request data: always valid UTF-8 without control characters, bounded.
  inner["message"] = util::printable(message, 2000);
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return Response::json(status, boost::json::serialize(outer));
}

ErrorReply map_exception(const std::exception_ptr& error, const Request& req,
                         const ExceptionMapper& mapper) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    return ErrorReply{e.status(), e.code(), e.what(), e.headers(), {}, {}, {}};
  } catch (const boost::system::system_error& e) {
    // The request was cancelled (its deadline, shutdown, the client left): the server answers
    // 503 or nobody, and this is what metrics and the access log record.
    if (e.code() == boost::asio::error::operation_aborted)
      return ErrorReply{503, "unavailable", "request cancelled", {}, {}, {}, {}};
  } catch (...) {
  }
  if (mapper) {
    if (auto reply = mapper(error, req)) return std::move(*reply);
  }
  ErrorReply reply;
  reply.message = "internal server error (request id " + req.request_id + ")";
  reply.log_event = "unhandled error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    reply.log_error = e.what();
  } catch (...) {
    reply.log_error = "non-standard exception";
  }
  return reply;
}

namespace {
void log_reply(const Request& req, const ErrorReply& reply) {
  if (reply.log_event.empty()) return;
  if (reply.log_sqlstate)
    observability::log_error(reply.log_event, {{"request_id", req.request_id},
                                               {"route", req.route},
                                               {"sqlstate", *reply.log_sqlstate},
                                               {"error", reply.log_error}});
  else
    observability::log_error(
        reply.log_event,
        {{"request_id", req.request_id}, {"route", req.route}, {"error", reply.log_error}});
}
}  // namespace

Middleware error_mapping(ExceptionMapper mapper) {
  return [mapper = std::move(mapper)](Request& req,
                                      const Handler& next) -> boost::asio::awaitable<Response> {
    // co_await is not allowed inside a catch block, so capture and answer after it.
    std::exception_ptr error;
    try {
      co_return co_await next(req);
    } catch (...) {
      error = std::current_exception();
    }
    auto reply = map_exception(error, req, mapper);
    log_reply(req, reply);
    auto res = error_response(reply.status, reply.code, reply.message);
    bool challenge = false;
    for (auto& h : reply.headers) {
      challenge = challenge || h.first == "WWW-Authenticate";
      res.headers.push_back(std::move(h));
    }
    // Every 401 names the scheme that would work (RFC 9110 §11.6.1), whoever raised it.
    if (reply.status == 401 && !challenge) res.headers.emplace_back("WWW-Authenticate", "Bearer");
    co_return res;
  };
}

}  // namespace autoblog::http
