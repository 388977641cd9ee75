#pragma once
// The one bounded pool of reusable connections, shared by the PostgreSQL pool (db::Pool) and the
// Redis client: at most `size` resources exist (idle + lent + being opened); when all are taken,
// callers wait in a FIFO queue of at most `max_waiters` until one is handed over or their timeout
// passes. A resource is opened lazily by the caller that was granted an empty slot, so opening
// (a network handshake) happens outside the lock and on the caller's own executor.
//
// acquire() outcomes:
//   - a Grant holding an idle resource (after `usable` accepted it; refused ones are dropped and
//     their slot reused);
//   - a Grant with no resource: the caller owns a reserved slot and must either open a resource
//     and later put_back() it, or call free_slot();
//   - PoolExhausted (queue full, or no slot within the timeout);
//   - boost::system::system_error(operation_aborted) when the awaiting coroutine was cancelled
//     (a request deadline, a client that went away, shutdown) — its place in the queue is gone.
//
// Preference (optional): a caller may say which resources it would rather have (the database pool:
// a connection that has the tenant's statements prepared). An idle resource it prefers is taken
// first; a resource put back goes to the first of the oldest kPreferScan waiters that prefers
// it, else to the oldest waiter — and the oldest waiter is passed over at most kMaxPassOvers
// times, so the order stays first come, first served within a bound.
//
// Thread-safety: all members may be called from any thread. A waiter is resumed on its own
// executor (its timer is only touched there), so waiting coroutines must run on a strand or a
// single-threaded executor. Ownership: the pool owns idle resources; it must outlive every
// Grant's resource that will be put back and every waiting coroutine.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

namespace autoblog::util {

struct PoolExhausted : std::runtime_error {
  enum class Reason { kQueueFull, kTimeout };
  PoolExhausted(Reason r, const std::string& what) : std::runtime_error(what), reason(r) {}
  Reason reason;
};

struct ResourcePoolStats {
  int size = 0;     // configured maximum
  int open = 0;     // slots taken: idle + lent + being opened
  int in_use = 0;   // lent or being opened
  int waiting = 0;  // callers queued
  std::uint64_t timeouts = 0;  // acquisitions refused (queue full or timed out)
};

template <class R>
class ResourcePool {
 public:
  struct Grant {
    std::unique_ptr<R> resource;  // null: a reserved slot, the caller opens a resource
  };

  ResourcePool(int size, int max_waiters) : size_(size), max_waiters_(max_waiters) {}
  ResourcePool(const ResourcePool&) = delete;
  ResourcePool& operator=(const ResourcePool&) = delete;

  // Which resources a caller would rather have; called under the pool's lock, with resources
  // nobody else holds.
  using Preference = std::function<bool(const R&)>;
  static constexpr std::size_t kPreferScan = 8;
  static constexpr unsigned kMaxPassOvers = 4;

  // `usable` vets an idle resource before it is lent (e.g. a pending EOF on a Redis socket).
  boost::asio::awaitable<Grant> acquire(std::chrono::milliseconds timeout,
                                        const std::function<bool(R&)>& usable = {},
                                        Preference prefer = {}) {
    auto my_executor = co_await boost::asio::this_coro::executor;
    std::shared_ptr<Waiter> waiter;
    {
      std::lock_guard lock(mutex_);
      if (auto grant = take_locked(usable, prefer)) co_return std::move(*grant);
      if (static_cast<int>(waiters_.size()) >= max_waiters_) {
        ++timeouts_;
        throw PoolExhausted(PoolExhausted::Reason::kQueueFull, "wait queue is full");
      }
      waiter = std::make_shared<Waiter>(my_executor);
      waiter->prefer = std::move(prefer);
      waiters_.push_back(waiter);
    }
    waiter->timer.expires_after(timeout);
    auto [ec] = co_await waiter->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    std::lock_guard lock(mutex_);
    if (waiter->granted) co_return Grant{std::move(waiter->resource)};
    std::erase(waiters_, waiter);
    // A timer cancelled without a grant: the awaiting coroutine itself was cancelled.
    if (ec == boost::asio::error::operation_aborted)
      throw boost::system::system_error(boost::asio::error::operation_aborted);
    ++timeouts_;
    throw PoolExhausted(PoolExhausted::Reason::kTimeout, "no slot within the timeout");
  }

  // acquire() without waiting: nullopt when every slot is taken.
  std::optional<Grant> try_acquire(const std::function<bool(R&)>& usable = {},
                                   const Preference& prefer = {}) {
    std::lock_guard lock(mutex_);
    return take_locked(usable, prefer);
  }

  // Returns a healthy resource: to a waiter (the first that prefers it among the oldest, see
  // above), else to the idle list.
  void put_back(std::unique_ptr<R> resource) {
    std::lock_guard lock(mutex_);
    if (!waiters_.empty()) {
      auto chosen = waiters_.begin();
      if (waiters_.front()->passed_over < kMaxPassOvers) {
        const auto scan_end = waiters_.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(kPreferScan, waiters_.size()));
        for (auto it = waiters_.begin(); it != scan_end; ++it) {
          if ((*it)->prefer && (*it)->prefer(*resource)) {
            chosen = it;
            break;
          }
        }
        for (auto it = waiters_.begin(); it != chosen; ++it) ++(*it)->passed_over;
      }
      grant_waiter(chosen, std::move(resource));
      return;
    }
    --in_use_;
    idle_.push_back(std::move(resource));
  }

  // A slot whose resource is gone (broken, failed to open, discarded): the first waiter may
  // open a new one, otherwise the pool shrinks.
  void free_slot() {
    std::lock_guard lock(mutex_);
    if (!waiters_.empty()) {
      grant_first_waiter(nullptr);
      return;
    }
    --open_;
    --in_use_;
  }

  // Drops every idle resource (e.g. after the server failed: idle sockets are suspect).
  void drop_idle() {
    std::vector<std::unique_ptr<R>> dropped;
    {
      std::lock_guard lock(mutex_);
      open_ -= static_cast<int>(idle_.size());
      dropped.swap(idle_);
    }
  }

  ResourcePoolStats stats() const {
    std::lock_guard lock(mutex_);
    return {size_, open_, in_use_, static_cast<int>(waiters_.size()), timeouts_};
  }

 private:
  // An idle resource that `usable` accepts (a preferred one first), else a free slot, else
  // nullopt. Under mutex_.
  std::optional<Grant> take_locked(const std::function<bool(R&)>& usable,
                                   const Preference& prefer) {
    if (prefer && idle_.size() > 1) {
      // Most recently returned first; the one found moves to the back, where it is taken.
      for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
        if (prefer(**it)) {
          std::swap(*it, idle_.back());
          break;
        }
      }
    }
    while (!idle_.empty()) {
      auto candidate = std::move(idle_.back());
      idle_.pop_back();
      if (!usable || usable(*candidate)) {
        ++in_use_;
        return Grant{std::move(candidate)};
      }
      --open_;  // dropped: its slot is free again
    }
    if (open_ < size_) {
      ++open_;
      ++in_use_;
      return Grant{};
    }
    return std::nullopt;
  }

  struct Waiter {
    boost::asio::any_io_executor executor;  // the waiting coroutine's own (strand) executor
    boost::asio::steady_timer timer;
    std::unique_ptr<R> resource;  // null with `granted`: a slot to open a new one
    bool granted = false;
    Preference prefer;         // may be empty
    unsigned passed_over = 0;  // times a resource went to a later waiter instead
    explicit Waiter(boost::asio::any_io_executor ex) : executor(ex), timer(ex) {}
  };

  // Called with the lock held; the slot stays counted as in use.
  void grant_first_waiter(std::unique_ptr<R> resource) {
    grant_waiter(waiters_.begin(), std::move(resource));
  }
  void grant_waiter(typename std::deque<std::shared_ptr<Waiter>>::iterator it,
                    std::unique_ptr<R> resource) {
    auto w = *it;
    waiters_.erase(it);
    w->resource = std::move(resource);
    w->granted = true;
    // Cancel on the waiter's own executor: its timer is only ever touched there.
    boost::asio::post(w->executor, [w] { w->timer.cancel(); });
  }

  const int size_;
  const int max_waiters_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<R>> idle_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  int open_ = 0;
  int in_use_ = 0;
  std::uint64_t timeouts_ = 0;
};

}  // namespace autoblog::util
