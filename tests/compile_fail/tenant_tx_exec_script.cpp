// A TenantTx has no raw-SQL escape hatch.
#include "tenancy/tenant_tx.h"

using namespace autoblog;

constexpr db::TenantQuery kTenant{"tenant", "SELECT 1 FROM {schema}.content_pipelines"};

boost::asio::awaitable<void> f(tenancy::TenantTx& tx) {
#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
  co_await tx.exec_script("DROP TABLE content_pipelines");
#else
  co_await tx.exec(kTenant);
#endif
}
