#pragma once
// The one fixed-size connection pool shared by every tenant (DESIGN §4: a pool per tenant
// cannot reach thousands of tenants). Connections are opened lazily up to `size`. When all are
// busy, acquire() waits in a bounded queue until `acquire_timeout`; a full queue or a timeout
// throws PoolTimeout (the API answers 503) instead of piling up work.
// A connection released while its transaction is still open is rolled back before reuse.
// Thread-safe. Waiters must run on a strand or a single-threaded executor (all coroutines here
// do). The Pool must outlive every PooledConnection and the io_context's run.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/connection.h"

namespace autoblog::db {

struct PoolOptions {
  std::string conninfo;
  int size = 16;
  std::chrono::milliseconds acquire_timeout{2000};
  int max_waiters = 1024;
  std::chrono::milliseconds connect_timeout{5000};
  bool use_prepared = true;  // server-side prepared statements (off for old PgBouncer)
  std::function<void()> on_acquire_timeout;  // e.g. a metrics counter; called outside the lock
};

struct PoolStats {
  int size = 0;     // configured maximum
  int open = 0;     // connections opened (idle + in use)
  int in_use = 0;
  int waiting = 0;
  std::uint64_t timeouts = 0;
};

class Pool;

// A connection borrowed from the pool; returns it on destruction. Move-only.
class PooledConnection {
 public:
  PooledConnection() = default;
  PooledConnection(Pool* pool, std::unique_ptr<Connection> conn);
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
  std::unique_ptr<Connection> conn_;
  bool needs_rollback_ = false;
};

class Pool {
 public:
  Pool(boost::asio::any_io_executor executor, PoolOptions options);
  ~Pool();

  boost::asio::awaitable<PooledConnection> acquire();
  PoolStats stats() const;
  const PoolOptions& options() const { return options_; }

 private:
  friend class PooledConnection;
  struct Waiter;
  void give_back(std::unique_ptr<Connection> conn, bool needs_rollback);
  void hand_over(std::unique_ptr<Connection> conn);  // to a waiter or the idle list

  boost::asio::any_io_executor executor_;
  PoolOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  int open_ = 0;
  int in_use_ = 0;
  std::uint64_t timeouts_ = 0;
};

}  // namespace autoblog::db
