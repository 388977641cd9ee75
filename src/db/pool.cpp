#include "db/pool.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/errors.h"

namespace autoblog::db {

namespace asio = boost::asio;

PooledConnection::PooledConnection(Pool* pool, std::unique_ptr<Connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

PooledConnection::PooledConnection(PooledConnection&& o) noexcept
    : pool_(std::exchange(o.pool_, nullptr)),
      conn_(std::move(o.conn_)),
      needs_rollback_(std::exchange(o.needs_rollback_, false)) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& o) noexcept {
  if (this != &o) {
    release();
    pool_ = std::exchange(o.pool_, nullptr);
    conn_ = std::move(o.conn_);
    needs_rollback_ = std::exchange(o.needs_rollback_, false);
  }
  return *this;
}

PooledConnection::~PooledConnection() { release(); }

void PooledConnection::release() {
  if (pool_ && conn_) pool_->give_back(std::move(conn_), needs_rollback_);
  pool_ = nullptr;
  needs_rollback_ = false;
}

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      slots_(options_.size, options_.max_waiters) {}

Pool::~Pool() = default;

asio::awaitable<PooledConnection> Pool::acquire() {
  util::ResourcePool<Connection>::Grant grant;
  std::string refused;
  try {
    grant = co_await slots_.acquire(options_.acquire_timeout);
  } catch (const util::PoolExhausted& e) {
    refused = e.reason == util::PoolExhausted::Reason::kQueueFull
                  ? "database busy: connection wait queue is full"
                  : "database busy: no connection available within " +
                        std::to_string(options_.acquire_timeout.count()) + " ms";
  }
  if (!refused.empty()) {
    if (options_.on_acquire_timeout) options_.on_acquire_timeout();
    throw PoolTimeout(refused);
  }
  if (grant.resource) co_return PooledConnection(this, std::move(grant.resource));

  // This coroutine owns a reserved slot: open a new connection for it.
  std::unique_ptr<Connection> conn;
  std::exception_ptr failure;
  try {
    conn = co_await Connection::connect(executor_, options_.conninfo, options_.connect_timeout,
                                        options_.use_prepared, options_.statement_cache_size,
                                        options_.statement_timeout);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    slots_.free_slot();  // lets a waiter try
    std::rethrow_exception(failure);
  }
  co_return PooledConnection(this, std::move(conn));
}

void Pool::give_back(std::unique_ptr<Connection> conn, bool needs_rollback) {
  if (conn && !conn->broken() && needs_rollback) {
    // Roll back off the caller's path (destructors cannot await), then return it. The rollback
    // has its own deadline: a server that does not answer costs this connection, not the slot.
    auto* raw = conn.release();
    asio::co_spawn(
        executor_,
        [this, raw]() -> asio::awaitable<void> {
          std::unique_ptr<Connection> c(raw);
          try {
            co_await c->exec(Statement{"ROLLBACK", {}},
                             std::chrono::steady_clock::now() + options_.rollback_timeout);
          } catch (...) {
            c->mark_broken();
          }
          give_back(std::move(c), false);
        },
        asio::detached);
    return;
  }
  if (conn && !conn->broken()) {
    slots_.put_back(std::move(conn));
    return;
  }
  // Broken (or never opened): free the slot; a waiter may open a fresh connection.
  conn.reset();
  slots_.free_slot();
}

PoolStats Pool::stats() const { return slots_.stats(); }

}  // namespace autoblog::db
