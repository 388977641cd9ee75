#include "tenancy/tenant_tx.h"

#include <stdexcept>

#include "tenancy/schema_name.h"

namespace autoblog::tenancy {

TenantTx::TenantTx(db::PooledConnection conn, const Tenant& tenant)
    : db::Transaction(std::move(conn)), tenant_id_(tenant.id) {
  prepend("SET LOCAL search_path TO " + quote_identifier(tenant.schema_name));
}

boost::asio::awaitable<TenantTx> TenantTx::begin(db::Pool& pool, const Tenant& tenant) {
  if (tenant.status != Status::kActive)
    throw std::logic_error("tenant transaction for a tenant that is not active");
  if (!is_valid_schema_name(tenant.schema_name))
    throw std::logic_error("tenant has an invalid schema name");
  co_return TenantTx(co_await pool.acquire(), tenant);
}

}  // namespace autoblog::tenancy
