// The shared mechanics are not a way around the scopes: a CoreTx or TenantTx does not convert
// to db::Transaction, whose query functions are not public anyway.
#include "tenancy/tenant_tx.h"

using namespace autoblog;

boost::asio::awaitable<void> f(tenancy::TenantTx& tx) {
#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
  db::Transaction& base = tx;
  co_await base.commit();
#else
  co_await tx.commit();
#endif
}
