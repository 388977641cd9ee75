// A tenant query run on a core transaction must not compile.
#include "db/transaction.h"

using namespace autoblog;

constexpr db::CoreQuery kCore{"core", "SELECT 1 FROM autoblog_core.tenants"};
constexpr db::TenantQuery kTenant{"tenant", "SELECT 1 FROM {schema}.content_pipelines"};

boost::asio::awaitable<void> f(db::CoreTx& tx) {
#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
  co_await tx.commit_with(kTenant);
#else
  co_await tx.commit_with(kCore);
#endif
}
