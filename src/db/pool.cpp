#include "db/pool.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/errors.h"
#include "util/event_loop.h"

namespace autoblog::db {

namespace asio = boost::asio;

namespace detail {
// One loop's connections: opened on, and waited for on, that loop's executor.
struct PoolPartition {
  asio::any_io_executor executor;
  util::ResourcePool<Connection> slots;
  PoolPartition(asio::any_io_executor ex, int size, int max_waiters)
      : executor(std::move(ex)), slots(size, max_waiters) {}
};
}  // namespace detail

using detail::PoolPartition;

PooledConnection::PooledConnection(Pool* pool, PoolPartition* partition,
                                   std::unique_ptr<Connection> conn)
    : pool_(pool), partition_(partition), conn_(std::move(conn)) {}

PooledConnection::PooledConnection(PooledConnection&& o) noexcept
    : pool_(std::exchange(o.pool_, nullptr)),
      partition_(std::exchange(o.partition_, nullptr)),
      conn_(std::move(o.conn_)),
      needs_rollback_(std::exchange(o.needs_rollback_, false)) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& o) noexcept {
  if (this != &o) {
    release();
    pool_ = std::exchange(o.pool_, nullptr);
    partition_ = std::exchange(o.partition_, nullptr);
    conn_ = std::move(o.conn_);
    needs_rollback_ = std::exchange(o.needs_rollback_, false);
  }
  return *this;
}

PooledConnection::~PooledConnection() { release(); }

void PooledConnection::release() {
  if (pool_ && conn_) pool_->give_back(*partition_, std::move(conn_), needs_rollback_);
  pool_ = nullptr;
  partition_ = nullptr;
  needs_rollback_ = false;
}

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : Pool(std::vector<asio::any_io_executor>{std::move(executor)}, std::move(options)) {}

Pool::Pool(const std::vector<asio::any_io_executor>& loops, PoolOptions options)
    : options_(std::move(options)) {
  // Every partition gets at least one connection and one waiter place; the shares add up to
  // the configured totals.
  const int n = std::max(1, std::min(static_cast<int>(loops.size()), options_.size));
  for (int i = 0; i < n; ++i) {
    auto share = [&](int total) { return std::max(1, total / n + (i < total % n ? 1 : 0)); };
    partitions_.push_back(std::make_unique<PoolPartition>(loops.at(i), share(options_.size),
                                                          share(options_.max_waiters)));
  }
  if (options_.shared_reads && options_.use_prepared)
    shared_ = std::make_unique<SharedReads>(loops, options_);
}

Pool::~Pool() = default;

asio::awaitable<PooledConnection> Pool::acquire(std::string_view prefer_schema) {
  // The view stays valid while this call waits: the caller is suspended on it, and a waiter's
  // preference is only called while it waits.
  util::ResourcePool<Connection>::Preference prefer;
  if (!prefer_schema.empty() && options_.use_prepared && options_.statement_cache_size > 0)
    prefer = [prefer_schema](const Connection& c) {
      return c.statement_cache().holds(prefer_schema);
    };
  // This loop's partition; when it has nothing free, another's free connection (slower: its
  // socket is on the other loop) rather than a wait; only when all are taken, a wait here.
  const std::size_t own = util::current_loop() % partitions_.size();
  PoolPartition* partition = partitions_[own].get();
  auto grant = partition->slots.try_acquire({}, prefer);
  for (std::size_t i = 1; !grant && i < partitions_.size(); ++i) {
    partition = partitions_[(own + i) % partitions_.size()].get();
    grant = partition->slots.try_acquire({}, prefer);
  }
  std::string refused;
  if (!grant) {
    partition = partitions_[own].get();
    try {
      grant = co_await partition->slots.acquire(options_.acquire_timeout, {}, std::move(prefer));
    } catch (const util::PoolExhausted& e) {
      refused = e.reason == util::PoolExhausted::Reason::kQueueFull
                    ? "database busy: connection wait queue is full"
                    : "database busy: no connection available within " +
                          std::to_string(options_.acquire_timeout.count()) + " ms";
    }
  }
  if (!refused.empty()) {
    if (options_.on_acquire_timeout) options_.on_acquire_timeout();
    throw PoolTimeout(refused);
  }
  if (grant->resource) co_return PooledConnection(this, partition, std::move(grant->resource));

  // This coroutine owns a reserved slot: open a new connection for it.
  std::unique_ptr<Connection> conn;
  std::exception_ptr failure;
  try {
    conn = co_await Connection::connect(partition->executor, options_.conninfo,
                                        options_.connect_timeout, options_.use_prepared,
                                        options_.statement_cache_size, options_.statement_timeout);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    partition->slots.free_slot();  // lets a waiter try
    std::rethrow_exception(failure);
  }
  co_return PooledConnection(this, partition, std::move(conn));
}

void Pool::give_back(PoolPartition& partition, std::unique_ptr<Connection> conn,
                     bool needs_rollback) {
  if (conn && !conn->broken() && needs_rollback) {
    // Roll back off the caller's path (destructors cannot await), then return it. The rollback
    // has its own deadline: a server that does not answer costs this connection, not the slot.
    auto* raw = conn.release();
    asio::co_spawn(
        partition.executor,
        [this, &partition, raw]() -> asio::awaitable<void> {
          std::unique_ptr<Connection> c(raw);
          try {
            co_await c->exec(Statement{"ROLLBACK", {}},
                             std::chrono::steady_clock::now() + options_.rollback_timeout);
          } catch (...) {
            c->mark_broken();
          }
          give_back(partition, std::move(c), false);
        },
        asio::detached);
    return;
  }
  if (conn && !conn->broken()) {
    partition.slots.put_back(std::move(conn));
    return;
  }
  // Broken (or never opened): free the slot; a waiter may open a fresh connection.
  conn.reset();
  partition.slots.free_slot();
}

PoolStats Pool::stats() const {
  PoolStats total;
  for (const auto& p : partitions_) {
    auto s = p->slots.stats();
    total.size += s.size;
    total.open += s.open;
    total.in_use += s.in_use;
    total.waiting += s.waiting;
    total.timeouts += s.timeouts;
  }
  return total;
}

}  // namespace autoblog::db
