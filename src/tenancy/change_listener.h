#pragma once
// Keeps this node's tenant cache honest across processes: LISTENs on autoblog_tenant_changed
// (sent by every registry change, including those made by the CLI or another API node) and
// drops the named tenant from the cache. While the listening connection is down the whole
// cache is dropped and lookups go to the database, so a missed notification never leaves a
// suspended tenant served. The same channel carries per-token revocations
// ("token-revoked:<jti>", see registry.h): on connect the listener loads the revoked set, then
// adds each announced jti; while disconnected, revocation checks go to the database. It also
// carries "blog-changed:<tenant id>" when a tenant's hosted blog changed (a post published or
// unpublished): passed to `on_blog_changed` (the hosted blog's page cache), if given. A
// reconnect drops everything through invalidate_all(), whose generation the page cache checks.
// Runs until cancelled (a task of the runtime's group); cancellation ends it with
// operation_aborted. `on_blog_changed` runs on the listener's coroutine: it must be cheap and
// thread-safe.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>

namespace autoblog::tenancy {

class TenantRegistry;

inline constexpr std::string_view kBlogChangedPrefix = "blog-changed:";

boost::asio::awaitable<void> listen_for_tenant_changes(
    std::string conninfo, TenantRegistry& registry,
    std::function<void(const std::string&)> on_blog_changed = {});

}  // namespace autoblog::tenancy
