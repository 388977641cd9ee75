#pragma once
// The only way to run SQL against a tenant's data: a transaction whose first statement is
// SET LOCAL search_path TO "<tenant schema>" (transaction-scoped, so safe behind PgBouncer in
// transaction mode and never leaking into the next user of the pooled connection).
// It runs TenantQuery constants only (a CoreQuery does not compile here, nor does raw SQL) and
// can only be opened for an ActiveTenant, which only the registry makes.
// Move-only; used by one coroutine at a time.
#include "db/transaction.h"
#include "tenancy/active_tenant.h"

namespace autoblog::tenancy {

class TenantTx : private db::Transaction {
 public:
  static boost::asio::awaitable<TenantTx> begin(db::Pool& pool, const ActiveTenant& tenant);

  // A tenant whose schema vanished meanwhile (deleted on this node or another, SQLSTATE 42P01
  // or 3F000) throws TenantInactive; other database errors pass through unchanged.
  boost::asio::awaitable<db::Result> exec(const db::TenantQuery& query, db::Params params = {});
  boost::asio::awaitable<db::Result> commit_with(const db::TenantQuery& query,
                                                 db::Params params = {});
  using db::Transaction::commit;

  const std::string& tenant_id() const { return tenant_id_; }

 private:
  TenantTx(db::Transaction base, const ActiveTenant& tenant);
  std::string tenant_id_;
};

}  // namespace autoblog::tenancy
