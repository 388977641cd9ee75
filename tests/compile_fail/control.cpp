// Must compile: the intended uses of the typed transactions. If this fails, the include paths or
// flags of the compile-fail checks are wrong and their failures would prove nothing.
#include "db/transaction.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_tx.h"

using namespace autoblog;

constexpr db::CoreQuery kCore{"core", "SELECT 1 FROM autoblog_core.tenants"};
constexpr db::TenantQuery kTenant{"tenant", "SELECT 1 FROM {schema}.content_pipelines"};

boost::asio::awaitable<void> ok(db::Pool& pool, tenancy::TenantRegistry& registry) {
  auto core = co_await db::CoreTx::begin(pool);
  co_await core.exec(kCore);
  co_await core.exec_script("CREATE TABLE IF NOT EXISTS autoblog_core.x (id int)");
  co_await core.commit();
  auto active = co_await registry.resolve_active("00000000-0000-4000-8000-000000000000");
  auto tenant = co_await tenancy::TenantTx::begin(pool, *active);
  co_await tenant.exec(kTenant);
  co_await tenant.commit_with(kTenant);
}
