#pragma once
// The only way to run SQL against a tenant's data: a transaction whose first statement is
// SET LOCAL search_path TO "<tenant schema>" (transaction-scoped, so safe behind PgBouncer in
// transaction mode and never leaking into the next user of the pooled connection).
// Repositories of tenant data take a TenantTx&, never a bare connection, and a TenantTx can only
// be made from a resolved tenant that is active.
#include "db/transaction.h"
#include "tenancy/tenant.h"

namespace autoblog::tenancy {

class TenantTx : public db::Transaction {
 public:
  // Throws std::logic_error for a tenant that is not active or has an invalid schema name
  // (authentication refuses those before any handler runs).
  static boost::asio::awaitable<TenantTx> begin(db::Pool& pool, const Tenant& tenant);
  const std::string& tenant_id() const { return tenant_id_; }

 private:
  TenantTx(db::PooledConnection conn, std::chrono::milliseconds statement_timeout,
           const Tenant& tenant);
  std::string tenant_id_;
};

}  // namespace autoblog::tenancy
