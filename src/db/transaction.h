#pragma once
// Transactions on a pooled connection that roll back unless commit() is called (the destructor
// never commits). BEGIN and the set-up statement (SET LOCAL statement_timeout) are
// queued and sent in the same round trip as the first query; commit_with() sends a last query
// and COMMIT together, so a one-query transaction costs one round trip — and when it is the
// only query, it runs in the pipeline's implicit transaction without BEGIN/COMMIT.
//
// Two kinds, told apart by the type system (see db/statement.h, Scope):
//   db::CoreTx          runs CoreQuery only (autoblog_core.*), plus DDL scripts for migrations
//                       and tenant provisioning;
//   tenancy::TenantTx   runs TenantQuery only, rendered for the tenant's schema; no raw SQL.
// db::Transaction is the mechanics both share; it runs nothing by itself and cannot be made
// directly. All are move-only and used by one coroutine at a time.
//
// Every transaction carries a statement deadline (the pool's statement_timeout unless begin()
// is given another): the session default of pooled connections, or SET LOCAL statement_timeout
// sent with the set-up statements when it differs (migrations) or sessions cannot be relied on
// (PgBouncer, prepared statements off); enforced client-side with a grace period, so a hung server costs the caller its deadline and
// the connection (discarded), never a pool slot for good.
#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "db/pool.h"
#include "db/statement.h"

namespace autoblog::db {

class Transaction {
 public:
  Transaction(Transaction&&) noexcept = default;
  Transaction& operator=(Transaction&&) noexcept = default;
  ~Transaction();

  boost::asio::awaitable<void> commit();

 protected:
  // Takes a connection from the pool; nothing is sent yet. `statement_timeout` overrides the
  // pool's default (migrations run longer statements).
  static boost::asio::awaitable<Transaction> begin(Pool& pool);
  // `prefer_schema`: for a tenant's transaction, preferably a connection that has statements of
  // that (quoted) schema prepared (see Pool, "Tenant affinity"); it must outlive the call.
  static boost::asio::awaitable<Transaction> begin(Pool& pool,
                                                   std::chrono::milliseconds statement_timeout,
                                                   std::string_view prefer_schema = {});
  Transaction(PooledConnection conn, std::chrono::milliseconds statement_timeout,
              bool session_has_timeout);

  // Untagged: the derived transaction types expose these for their own query scope only.
  // `query` must outlive the call (named constants do). With `schema`, the query is a tenant
  // template rendered for that schema (db/schema_identifier.h).
  boost::asio::awaitable<Result> exec(const Query& query, Params params = {},
                                      const SchemaIdentifier* schema = nullptr);
  boost::asio::awaitable<void> exec_script(std::string_view sql);
  // One read alone: on this loop's multiplexed connection when the pool has one
  // (db/shared_reads.h: only for reads of bounded cost, and only reads, as its implicit
  // transaction is shared with the rest of its batch), else in a transaction of its own on a
  // pooled connection. `schema` as for exec().
  static boost::asio::awaitable<Result> run_alone(Pool& pool, const Query& query, Params params,
                                                  const SchemaIdentifier* schema = nullptr);
  // Runs a last query and commits in the same round trip; returns the query's result.
  boost::asio::awaitable<Result> commit_with(const Query& query, Params params = {},
                                             const SchemaIdentifier* schema = nullptr);

 private:
  boost::asio::awaitable<std::vector<Result>> send(std::vector<Statement> statements);
  Deadline next_deadline() const;
  PooledConnection conn_;
  std::chrono::milliseconds statement_timeout_;
  std::vector<Statement> setup_;  // queued set-up statements (sent right after BEGIN)
  bool started_ = false;                // BEGIN has been sent
  bool finished_ = false;               // committed (or failed at commit)
};

// A transaction on the core schema (registry, tokens, migrations bookkeeping).
class CoreTx : private Transaction {
 public:
  static boost::asio::awaitable<CoreTx> begin(Pool& pool) {
    auto base = co_await Transaction::begin(pool);
    co_return CoreTx(std::move(base));
  }
  static boost::asio::awaitable<CoreTx> begin(Pool& pool,
                                              std::chrono::milliseconds statement_timeout) {
    auto base = co_await Transaction::begin(pool, statement_timeout);
    co_return CoreTx(std::move(base));
  }

  boost::asio::awaitable<Result> exec(const CoreQuery& query, Params params = {}) {
    return Transaction::exec(query.untagged(), std::move(params));
  }
  boost::asio::awaitable<Result> commit_with(const CoreQuery& query, Params params = {}) {
    return Transaction::commit_with(query.untagged(), std::move(params));
  }
  using Transaction::commit;

  // DDL scripts, the one raw-SQL path: core migrations (db/migrations/migrator.cpp) and tenant
  // schema provisioning, upgrade and drop (tenancy/registry.cpp, tenancy/tenant_migrator.cpp,
  // whose scripts come from tenancy::provisioning_script / drop_schema_script). Never for
  // request input: everything a request sends travels as bind parameters of named queries.
  boost::asio::awaitable<void> exec_script(std::string_view sql) {
    return Transaction::exec_script(sql);
  }

 private:
  explicit CoreTx(Transaction base) : Transaction(std::move(base)) {}
};

}  // namespace autoblog::db
