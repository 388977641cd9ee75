#include "tenancy/tenant_tx.h"

#include "db/errors.h"
#include "tenancy/errors.h"

namespace autoblog::tenancy {

namespace {
// undefined_table / invalid_schema_name naming the tenant's own schema: the schema was dropped
// after the tenant was authorised. PostgreSQL names the missing relation as it was written, so
// an unqualified name (a query that forgot the placeholder) does not match and stays an error.
bool schema_gone(const db::DbError& e, const db::SchemaIdentifier& schema) {
  if (e.sqlstate() != "42P01" && e.sqlstate() != "3F000") return false;
  return std::string_view(e.what()).find(schema.name()) != std::string_view::npos;
}

// Runs the operation `make(schema)` returns. `Schema` is a db::SchemaIdentifier kept in this
// coroutine's frame (read_one has no frame to keep it in) or a reference to the transaction's.
template <class Schema, class MakeOp>
boost::asio::awaitable<db::Result> schema_checked(Schema schema, MakeOp make) {
  try {
    co_return co_await make(static_cast<const db::SchemaIdentifier&>(schema));
  } catch (const db::DbError& e) {
    if (!schema_gone(e, schema)) throw;
  }
  throw TenantInactive("tenant is no longer available");
}
}  // namespace

TenantTx::TenantTx(db::Transaction base, const ActiveTenant& tenant, db::SchemaIdentifier schema)
    : db::Transaction(std::move(base)), tenant_id_(tenant.id()), schema_(std::move(schema)) {}

boost::asio::awaitable<TenantTx> TenantTx::begin(db::Pool& pool, const ActiveTenant& tenant) {
  // A connection that already has this tenant's statements prepared, when there is one.
  auto schema = db::SchemaIdentifier::tenant(tenant->schema_name);
  auto base =
      co_await db::Transaction::begin(pool, pool.options().statement_timeout, schema.quoted());
  co_return TenantTx(std::move(base), tenant, std::move(schema));
}

boost::asio::awaitable<db::Result> TenantTx::read_one(db::Pool& pool, const ActiveTenant& tenant,
                                                      const db::TenantReadQuery& query,
                                                      db::Params params) {
  return schema_checked<db::SchemaIdentifier>(
      db::SchemaIdentifier::tenant(tenant->schema_name),
      [&pool, &query, params = std::move(params)](const db::SchemaIdentifier& schema) mutable {
        return db::Transaction::run_alone(pool, query.query().untagged(), std::move(params),
                                          &schema);
      });
}

boost::asio::awaitable<db::Result> TenantTx::exec(const db::TenantQuery& query, db::Params params) {
  return schema_checked<const db::SchemaIdentifier&>(
      schema_,
      [this, &query, params = std::move(params)](const db::SchemaIdentifier& schema) mutable {
        return db::Transaction::exec(query.untagged(), std::move(params), &schema);
      });
}

boost::asio::awaitable<db::Result> TenantTx::commit_with(const db::TenantQuery& query,
                                                         db::Params params) {
  return schema_checked<const db::SchemaIdentifier&>(
      schema_,
      [this, &query, params = std::move(params)](const db::SchemaIdentifier& schema) mutable {
        return db::Transaction::commit_with(query.untagged(), std::move(params), &schema);
      });
}

namespace {
db::Params with_tenant(const std::string& tenant_id, db::Params params) {
  params.insert(params.begin(), tenant_id);
  return params;
}
}  // namespace

boost::asio::awaitable<db::Result> TenantTx::exec(const db::TenantCoreQuery& query,
                                                  db::Params params) {
  return db::Transaction::exec(query.untagged(), with_tenant(tenant_id_, std::move(params)));
}

boost::asio::awaitable<db::Result> TenantTx::commit_with(const db::TenantCoreQuery& query,
                                                         db::Params params) {
  return db::Transaction::commit_with(query.untagged(),
                                      with_tenant(tenant_id_, std::move(params)));
}

}  // namespace autoblog::tenancy
