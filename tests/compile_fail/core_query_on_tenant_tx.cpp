// A core query run on a tenant transaction must not compile.
#include "tenancy/tenant_tx.h"

using namespace autoblog;

constexpr db::CoreQuery kCore{"core", "SELECT 1 FROM autoblog_core.tenants"};
constexpr db::TenantQuery kTenant{"tenant", "SELECT 1 FROM {schema}.content_pipelines"};

boost::asio::awaitable<void> f(tenancy::TenantTx& tx) {
#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
  co_await tx.exec(kCore);
#else
  co_await tx.exec(kTenant);
#endif
}
