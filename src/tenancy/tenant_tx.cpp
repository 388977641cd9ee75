#include "tenancy/tenant_tx.h"

#include "db/errors.h"
#include "tenancy/errors.h"
#include "tenancy/schema_name.h"

namespace autoblog::tenancy {

namespace {
// undefined_table / invalid_schema_name under a search_path that only names the tenant's
// schema: the schema was dropped after the tenant was authorised.
bool schema_gone(const db::DbError& e) {
  return e.sqlstate() == "42P01" || e.sqlstate() == "3F000";
}

boost::asio::awaitable<db::Result> schema_checked(boost::asio::awaitable<db::Result> op) {
  try {
    co_return co_await std::move(op);
  } catch (const db::DbError& e) {
    if (!schema_gone(e)) throw;
  }
  throw TenantInactive("tenant is no longer available");
}
}  // namespace

TenantTx::TenantTx(db::Transaction base, const ActiveTenant& tenant)
    : db::Transaction(std::move(base)), tenant_id_(tenant.id()) {
  set_local_search_path(quote_identifier(tenant->schema_name));
}

boost::asio::awaitable<TenantTx> TenantTx::begin(db::Pool& pool, const ActiveTenant& tenant) {
  auto base = co_await db::Transaction::begin(pool);
  co_return TenantTx(std::move(base), tenant);
}

boost::asio::awaitable<db::Result> TenantTx::exec(const db::TenantQuery& query, db::Params params) {
  return schema_checked(db::Transaction::exec(query.untagged(), std::move(params)));
}

boost::asio::awaitable<db::Result> TenantTx::commit_with(const db::TenantQuery& query,
                                                         db::Params params) {
  return schema_checked(db::Transaction::commit_with(query.untagged(), std::move(params)));
}

}  // namespace autoblog::tenancy
