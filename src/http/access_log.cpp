#include "http/access_log.h"

#include "observability/log.h"
#include "observability/metrics.h"
#include "tenancy/active_tenant.h"

namespace autoblog::http {

namespace {
void record(observability::Metrics& metrics, bool log_each, const Request& req, unsigned status) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - req.received_at).count();
  std::string_view tenant_id = req.tenant ? std::string_view(req.tenant->id()) : std::string_view();
  std::string_view endpoint = req.route.empty() ? std::string_view("unmatched") : req.route;
  metrics.observe_request(tenant_id, req.method, endpoint, status, seconds);
  if (log_each && observability::log_enabled(observability::Level::info)) {
    observability::log_info("request", {{"request_id", req.request_id},
                                        {"tenant_id", tenant_id},
                                        {"method", req.method},
                                        {"path", req.path},
                                        {"route", endpoint},
                                        {"status", static_cast<std::int64_t>(status)},
                                        {"duration_ms", seconds * 1000.0},
                                        {"remote", req.remote}});
  }
}
}  // namespace

Middleware access_log(observability::Metrics& metrics, bool log_each_request,
                      ExceptionMapper mapper) {
  return [&metrics, log_each_request, mapper = std::move(mapper)](
             Request& req, const Handler& next) -> boost::asio::awaitable<Response> {
    try {
      auto res = co_await next(req);
      record(metrics, log_each_request, req, res.status);
      co_return res;
    } catch (...) {
      record(metrics, log_each_request, req,
             map_exception(std::current_exception(), req, mapper).status);
      throw;
    }
  };
}

}  // namespace autoblog::http
