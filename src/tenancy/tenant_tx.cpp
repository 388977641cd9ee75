#include "tenancy/tenant_tx.h"

#include <stdexcept>

#include "tenancy/schema_name.h"

namespace autoblog::tenancy {

namespace {
// SET LOCAL search_path, as a function so the schema travels as a parameter and the statement
// can be prepared once per connection (is_local = true: it ends with the transaction).
constexpr db::Query kSetLocalSearchPath{"set_local_search_path",
                                        "SELECT set_config('search_path', $1, true)"};
}  // namespace

TenantTx::TenantTx(db::PooledConnection conn, std::chrono::milliseconds statement_timeout,
                   const Tenant& tenant)
    : db::Transaction(std::move(conn), statement_timeout), tenant_id_(tenant.id) {
  db::Params p{db::param(quote_identifier(tenant.schema_name))};
  prepend(kSetLocalSearchPath, std::move(p));
}

boost::asio::awaitable<TenantTx> TenantTx::begin(db::Pool& pool, const Tenant& tenant) {
  if (tenant.status != Status::kActive)
    throw std::logic_error("tenant transaction for a tenant that is not active");
  if (!is_valid_schema_name(tenant.schema_name))
    throw std::logic_error("tenant has an invalid schema name");
  co_return TenantTx(co_await pool.acquire(), pool.options().statement_timeout, tenant);
}

}  // namespace autoblog::tenancy
