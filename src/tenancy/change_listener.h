#pragma once
// Keeps this node's tenant cache honest across processes: LISTENs on autoblog_tenant_changed
// (sent by every registry change, including those made by the CLI or another API node) and
// drops the named tenant from the cache. While the listening connection is down the whole
// cache is dropped and lookups go to the database, so a missed notification never leaves a
// suspended tenant served. The same channel carries per-token revocations
// ("token-revoked:<jti>", see registry.h): on connect the listener loads the revoked set, then
// adds each announced jti; while disconnected, revocation checks go to the database.
// Runs until cancelled (a task of the runtime's group); cancellation ends it with
// operation_aborted.
#include <boost/asio/awaitable.hpp>
#include <string>

namespace autoblog::tenancy {

class TenantRegistry;

boost::asio::awaitable<void> listen_for_tenant_changes(std::string conninfo,
                                                       TenantRegistry& registry);

}  // namespace autoblog::tenancy
