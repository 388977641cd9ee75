// A braced {"name", "sql"} at the call site must not silently take the callee's scope.
#include "tenancy/tenant_tx.h"

using namespace autoblog;

constexpr db::TenantQuery kTenant{"tenant", "SELECT 1 FROM {schema}.content_pipelines"};

boost::asio::awaitable<void> f(tenancy::TenantTx& tx) {
#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
  co_await tx.exec({"adhoc", "SELECT * FROM autoblog_core.tenants"});
#else
  co_await tx.exec(kTenant);
#endif
}
