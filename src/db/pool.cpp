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

struct Pool::Waiter {
  asio::any_io_executor executor;  // the waiting coroutine's own (strand) executor
  asio::steady_timer timer;
  std::unique_ptr<Connection> conn;  // set by hand_over
  bool may_open = false;             // set when a broken connection freed a slot
  explicit Waiter(asio::any_io_executor ex) : executor(ex), timer(ex) {}
};

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
    : executor_(std::move(executor)), options_(std::move(options)) {}

Pool::~Pool() = default;

asio::awaitable<PooledConnection> Pool::acquire() {
  auto my_executor = co_await asio::this_coro::executor;
  std::unique_ptr<Connection> ready;
  std::shared_ptr<Waiter> waiter;
  bool queue_full = false;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      ready = std::move(idle_.back());
      idle_.pop_back();
      ++in_use_;
    } else if (open_ < options_.size) {
      ++open_;
      ++in_use_;
    } else if (static_cast<int>(waiters_.size()) >= options_.max_waiters) {
      ++timeouts_;
      queue_full = true;
    } else {
      waiter = std::make_shared<Waiter>(my_executor);
      waiters_.push_back(waiter);
    }
  }
  if (ready) co_return PooledConnection(this, std::move(ready));
  if (queue_full) {
    if (options_.on_acquire_timeout) options_.on_acquire_timeout();
    throw PoolTimeout("database busy: connection wait queue is full");
  }

  if (waiter) {
    waiter->timer.expires_after(options_.acquire_timeout);
    co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    bool timed_out = false;
    {
      std::lock_guard lock(mutex_);
      if (waiter->conn) co_return PooledConnection(this, std::move(waiter->conn));
      if (waiter->may_open) {
        ++open_;
        ++in_use_;
      } else {
        std::erase(waiters_, waiter);
        ++timeouts_;
        timed_out = true;
      }
    }
    if (timed_out) {
      if (options_.on_acquire_timeout) options_.on_acquire_timeout();
      throw PoolTimeout("database busy: no connection available within " +
                        std::to_string(options_.acquire_timeout.count()) + " ms");
    }
  }

  // This coroutine owns a reserved slot: open a new connection for it.
  std::unique_ptr<Connection> conn;
  std::exception_ptr failure;
  try {
    conn = co_await Connection::connect(executor_, options_.conninfo, options_.connect_timeout,
                                        options_.use_prepared);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    give_back(nullptr, false);  // frees the slot and lets a waiter try
    std::rethrow_exception(failure);
  }
  co_return PooledConnection(this, std::move(conn));
}

void Pool::hand_over(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  if (!waiters_.empty()) {
    auto w = waiters_.front();
    waiters_.pop_front();
    w->conn = std::move(conn);
    // Cancel on the waiter's own executor: the timer is only ever touched there.
    asio::post(w->executor, [w] { w->timer.cancel(); });
    return;
  }
  --in_use_;
  idle_.push_back(std::move(conn));
}

void Pool::give_back(std::unique_ptr<Connection> conn, bool needs_rollback) {
  if (conn && !conn->broken() && needs_rollback) {
    // Roll back off the caller's path (destructors cannot await), then return it.
    auto* raw = conn.release();
    asio::co_spawn(
        executor_,
        [this, raw]() -> asio::awaitable<void> {
          std::unique_ptr<Connection> c(raw);
          try {
            co_await c->exec(Statement{"ROLLBACK", {}});
          } catch (...) {
            c->mark_broken();
          }
          give_back(std::move(c), false);
        },
        asio::detached);
    return;
  }
  if (conn && !conn->broken()) {
    hand_over(std::move(conn));
    return;
  }
  // Broken (or never opened): free the slot; a waiter may open a fresh connection.
  conn.reset();
  std::lock_guard lock(mutex_);
  --open_;
  --in_use_;
  if (!waiters_.empty()) {
    auto w = waiters_.front();
    waiters_.pop_front();
    w->may_open = true;
    asio::post(w->executor, [w] { w->timer.cancel(); });
  }
}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return {options_.size, open_, in_use_, static_cast<int>(waiters_.size()), timeouts_};
}

}  // namespace autoblog::db
