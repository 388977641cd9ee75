#include "api/error_mapping.h"

#include <algorithm>

#include "db/errors.h"
#include "domain/errors.h"
#include "storage/object_storage.h"

namespace autoblog::api {

namespace {

http::ErrorReply reply(unsigned status, std::string code, std::string message) {
  http::ErrorReply r;
  r.status = status;
  r.code = std::move(code);
  r.message = std::move(message);
  return r;
}

// A 5xx whose cause belongs in the log, not in the response.
http::ErrorReply logged(unsigned status, std::string code, std::string message,
                        std::string event, std::string error) {
  auto r = reply(status, std::move(code), std::move(message));
  r.log_event = std::move(event);
  r.log_error = std::move(error);
  return r;
}

http::ErrorReply from_domain(const domain::Error& e) {
  switch (e.kind()) {
    case domain::ErrorKind::kNotFound: return reply(404, "not_found", e.what());
    case domain::ErrorKind::kConflict: return reply(409, "conflict", e.what());
    case domain::ErrorKind::kInvalidInput: return reply(400, "invalid_request", e.what());
    case domain::ErrorKind::kForbidden: return reply(403, "forbidden", e.what());
    case domain::ErrorKind::kUnavailable:
      return logged(503, "unavailable", e.what(), "dependency unavailable", e.what());
    case domain::ErrorKind::kQuotaExceeded: {
      auto r = reply(429, "quota_exceeded", e.what());
      if (auto* q = dynamic_cast<const domain::QuotaExceededError*>(&e))
        r.headers.emplace_back("Retry-After", std::to_string(std::max(q->retry_after, 1LL)));
      return r;
    }
  }
  return reply(500, "internal", "internal server error");
}

}  // namespace

std::optional<http::ErrorReply> map_exception(const std::exception_ptr& error,
                                              const http::Request& req) {
  try {
    std::rethrow_exception(error);
  } catch (const domain::Error& e) {
    return from_domain(e);
  } catch (const db::UniqueViolation&) {
    return reply(409, "conflict", "a resource with the same unique value exists");
  } catch (const db::PoolTimeout& e) {
    return reply(503, "unavailable", e.what());
  } catch (const db::QueryTimeout&) {
    return reply(503, "unavailable", "database query exceeded its deadline");
  } catch (const db::ConnectionError& e) {
    return logged(503, "unavailable", "database unavailable", "database unavailable", e.what());
  } catch (const storage::InvalidKey& e) {
    return reply(400, "invalid_request", e.what());
  } catch (const storage::StorageUnavailable& e) {
    return logged(503, "unavailable", "storage unavailable", "storage unavailable", e.what());
  } catch (const db::DbError& e) {
    // Class 22 (data exception: bad date, number out of range...) is the client's input.
    if (e.sqlstate().rfind("22", 0) == 0)
      return reply(400, "invalid_request", std::string("invalid value: ") + e.what());
    auto r = logged(500, "internal", "internal server error (request id " + req.request_id + ")",
                    "database error", e.what());
    r.log_sqlstate = e.sqlstate();
    return r;
  } catch (...) {
  }
  return std::nullopt;
}

}  // namespace autoblog::api
