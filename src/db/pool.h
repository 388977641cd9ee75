#pragma once
// The one fixed-size connection pool shared by every tenant (docs/architecture.md: a pool per tenant
// cannot reach thousands of tenants). Connections are opened lazily up to `size`. When all are
// busy, acquire() waits in a bounded queue until `acquire_timeout`; a full queue or a timeout
// throws PoolTimeout (the API answers 503) instead of piling up work.
// A connection released while its transaction is still open is rolled back before reuse (with a
// deadline: a rollback that does not finish in time discards the connection). A connection that
// broke or was abandoned mid-statement (deadline, cancellation) is discarded, never reused.
// The waiting and hand-over logic is util::ResourcePool, shared with the Redis client.
//
// Partitions: the runtime runs one single-threaded io_context per I/O thread. A connection's
// socket belongs to one of them, and a wait on it that completes on another loop's thread costs
// a cross-thread hand-off (a wake-up and a context switch) per round trip, which measured about
// a third of a content read's server CPU. So the pool is split into one partition per loop, each
// with its share of `size` and its connections on that loop, and acquire() takes from the
// partition of the loop it runs on (util::current_loop()). Fewer connections than loops: fewer
// partitions, shared round-robin by the loops. A caller off every loop uses partition 0, which
// is correct anywhere, only slower.
//
// Tenant affinity: a tenant transaction asks for a connection that already has statements of
// its tenant prepared (util::ResourcePool's preference): an idle one if there is one, and when
// connections are scarce a returning connection goes to a waiter of a tenant it knows, among the
// oldest few. Without it, every pooled backend ends up preparing (and building its relation
// cache for) every tenant: measured with 1 000 tenants round-robin, PostgreSQL spent about
// 230 µs of CPU per read instead of about 50 µs for one tenant.
// Thread-safe. Waiters must run on a strand or a single-threaded executor (all coroutines here
// do). The Pool must outlive every PooledConnection and the io_context's run.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/shared_reads.h"
#include "util/resource_pool.h"

namespace autoblog::db {

struct PoolOptions {
  std::string conninfo;
  int size = 16;
  std::chrono::milliseconds acquire_timeout{2000};
  int max_waiters = 1024;
  std::chrono::milliseconds connect_timeout{5000};
  bool use_prepared = true;  // server-side prepared statements (off for old PgBouncer)
  std::function<void()> on_acquire_timeout;  // e.g. a metrics counter; called outside the lock
  // Default deadline of each statement: sent as SET LOCAL statement_timeout with every
  // transaction, and enforced client-side (plus a grace period) for a server that hangs.
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds rollback_timeout{2000};
  // Statement deadline of migrations (schema changes on large tables, advisory-lock waits).
  std::chrono::milliseconds migration_statement_timeout{600000};
  // Tenant statements kept prepared per connection (db/statement_cache.h); 0: none.
  std::size_t statement_cache_size = 256;
  // Single-statement reads multiplexed on one extra connection per loop (db/shared_reads.h).
  // Needs use_prepared (a multiplexed connection keeps its prepared statements for itself).
  bool shared_reads = true;
  // Tenant statements kept prepared on each of those connections. Larger than the pool's: each
  // sees every tenant's reads, and a statement that is not kept is parsed and planned each time.
  std::size_t shared_reads_cache_size = 4096;
};

using PoolStats = util::ResourcePoolStats;

class Pool;
namespace detail {
struct PoolPartition;  // one loop's share of the pool (pool.cpp)
}

// A connection borrowed from the pool; returns it on destruction. Move-only.
class PooledConnection {
 public:
  PooledConnection() = default;
  PooledConnection(Pool* pool, detail::PoolPartition* partition, std::unique_ptr<Connection> conn);
  PooledConnection(PooledConnection&&) noexcept;
  PooledConnection& operator=(PooledConnection&&) noexcept;
  ~PooledConnection();

  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_.get(); }
  // Ask the pool to roll back before handing this connection out again.
  void needs_rollback() { needs_rollback_ = true; }

 private:
  void release();
  Pool* pool_ = nullptr;
  detail::PoolPartition* partition_ = nullptr;  // where it goes back to
  std::unique_ptr<Connection> conn_;
  bool needs_rollback_ = false;
};

class Pool {
 public:
  // One partition, its connections on `executor`.
  Pool(boost::asio::any_io_executor executor, PoolOptions options);
  // One partition per event loop (`loops[i]` is loop i's executor, single-threaded), sharing
  // options.size and options.max_waiters between them.
  Pool(const std::vector<boost::asio::any_io_executor>& loops, PoolOptions options);
  ~Pool();

  // `prefer_schema` (a tenant's quoted schema, db::SchemaIdentifier::quoted()): prefer a
  // connection with statements of that schema prepared; it must outlive the call.
  boost::asio::awaitable<PooledConnection> acquire(std::string_view prefer_schema = {});
  // All partitions together.
  PoolStats stats() const;
  const PoolOptions& options() const { return options_; }
  // This loop's multiplexed connection for single-statement reads, when the calling coroutine
  // (running on `executor`) may use it (see db/shared_reads.h); else null.
  SharedReads* shared_reads_for(const boost::asio::any_io_executor& executor) {
    return shared_ && shared_->serves(executor) ? shared_.get() : nullptr;
  }
  // Null when off (options.shared_reads false, or prepared statements off).
  const SharedReads* shared_reads() const { return shared_.get(); }

 private:
  friend class PooledConnection;
  void give_back(detail::PoolPartition& partition, std::unique_ptr<Connection> conn,
                 bool needs_rollback);

  PoolOptions options_;
  std::vector<std::unique_ptr<detail::PoolPartition>> partitions_;
  std::unique_ptr<SharedReads> shared_;
};

}  // namespace autoblog::db
