#pragma once
// The only way to run SQL against a tenant's data: a transaction that renders each TenantQuery
// template for the tenant's schema (`{schema}.table` → `"tenant_…".table`, db/schema_identifier.h)
// and runs it through the connection's statement cache, so PostgreSQL plans a tenant's
// statement once per connection instead of on every tenant switch. Pooled connections keep an
// empty search_path: a table written without the placeholder fails instead of reading some
// other schema.
// It runs TenantQuery constants, and TenantCoreQuery constants bound to its own tenant id (a
// CoreQuery does not compile here, nor does raw SQL), and
// can only be opened for an ActiveTenant, which only the registry makes.
// Move-only; used by one coroutine at a time.
#include "db/schema_identifier.h"
#include "db/transaction.h"
#include "tenancy/active_tenant.h"

namespace autoblog::tenancy {

class TenantTx : private db::Transaction {
 public:
  static boost::asio::awaitable<TenantTx> begin(db::Pool& pool, const ActiveTenant& tenant);
  // One read alone, without opening a TenantTx: for reads of bounded cost (by primary key, or
  // LIMITed), which share the loop's multiplexed connection when there is one
  // (db/shared_reads.h), and its implicit transaction with other statements of the batch (so
  // only a TenantReadQuery). Errors as for exec().
  static boost::asio::awaitable<db::Result> read_one(db::Pool& pool, const ActiveTenant& tenant,
                                                     const db::TenantReadQuery& query,
                                                     db::Params params = {});

  // A tenant whose schema vanished meanwhile (deleted on this node or another: a missing
  // relation or schema named with the tenant's schema) throws TenantInactive; other database
  // errors, including a table named without the {schema} placeholder, pass through unchanged.
  boost::asio::awaitable<db::Result> exec(const db::TenantQuery& query, db::Params params = {});
  boost::asio::awaitable<db::Result> commit_with(const db::TenantQuery& query,
                                                 db::Params params = {});
  // Core rows of this tenant (its jobs, its usage): `tenant_id` becomes $1, `params` $2….
  boost::asio::awaitable<db::Result> exec(const db::TenantCoreQuery& query, db::Params params = {});
  boost::asio::awaitable<db::Result> commit_with(const db::TenantCoreQuery& query,
                                                 db::Params params = {});
  using db::Transaction::commit;

  const std::string& tenant_id() const { return tenant_id_; }

 private:
  TenantTx(db::Transaction base, const ActiveTenant& tenant, db::SchemaIdentifier schema);
  std::string tenant_id_;
  db::SchemaIdentifier schema_;
};

}  // namespace autoblog::tenancy
