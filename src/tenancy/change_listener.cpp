#include "tenancy/change_listener.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "db/connection.h"
#include "observability/log.h"
#include "tenancy/registry.h"

namespace autoblog::tenancy {

namespace asio = boost::asio;

asio::awaitable<void> listen_for_tenant_changes(
    std::string conninfo, TenantRegistry& registry,
    std::function<void(const std::string&)> on_blog_changed) {
  auto executor = co_await asio::this_coro::executor;
  bool warned = false;
  for (;;) {
    std::string error;
    try {
      auto conn = co_await db::Connection::connect(executor, conninfo, std::chrono::seconds(5));
      co_await conn->exec(db::Statement{"LISTEN autoblog_tenant_changed", {}});
      // Anything may have changed while we were not listening. The revoked set is loaded after
      // LISTEN, so a revocation committed during the load arrives as a notification.
      registry.invalidate_all();
      co_await registry.sync_revoked_tokens();
      if (warned) observability::log_info("tenant change listener reconnected");
      warned = false;
      for (;;) {
        auto n = co_await conn->next_notification();
        std::string_view payload = n.payload;
        if (payload.starts_with(kBlogChangedPrefix)) {
          if (on_blog_changed)
            on_blog_changed(std::string(payload.substr(kBlogChangedPrefix.size())));
        } else if (payload.starts_with(kTokenRevokedPrefix))
          registry.note_token_revoked(std::string(payload.substr(kTokenRevokedPrefix.size())));
        else
          registry.invalidate(n.payload);
      }
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) throw;  // cancelled: the runtime is stopping
      error = e.what();
    } catch (const std::exception& e) {
      error = e.what();
    }
    registry.invalidate_all();
    registry.mark_revocations_unsynced();
    if (!warned) {
      observability::log_warn("tenant change listener lost its connection; retrying",
                              {{"error", error}});
      warned = true;
    }
    asio::steady_timer t(executor, std::chrono::seconds(1));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace autoblog::tenancy
