// A TenantTx cannot be opened for a plain Tenant (it takes an ActiveTenant).
#include "tenancy/tenant_tx.h"

using namespace autoblog;

boost::asio::awaitable<void> f(db::Pool& pool, const tenancy::ActiveTenant& active) {
#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
  tenancy::Tenant t = active.tenant();
  auto tx = co_await tenancy::TenantTx::begin(pool, t);
#else
  auto tx = co_await tenancy::TenantTx::begin(pool, active);
#endif
  co_await tx.commit();
}
