// Unit tests for util::TaskGroup (cancellation reaches a suspended task, join waits for it,
// failures are reported) and util::ResourcePool (hand-over order, slots, timeouts, a cancelled
// waiter leaves the queue without taking a slot).
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <thread>
#include <string>
#include <vector>

#include "util/resource_pool.h"
#include "util/task_group.h"

namespace autoblog::util {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> sleep_forever(bool& started, bool& ended_by_cancel) {
  started = true;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
  try {
    co_await t.async_wait(asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    ended_by_cancel = e.code() == asio::error::operation_aborted;
    throw;
  }
}

TEST(TaskGroup, CancelReachesASuspendedTaskAndJoinWaitsForIt) {
  asio::io_context io;
  std::vector<std::string> problems;
  TaskGroup group([&](const std::string& t, const std::string& p) { problems.push_back(t + p); });
  bool started = false, cancelled = false, joined = false;
  group.spawn("sleeper", io.get_executor(), sleep_forever(started, cancelled));
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    asio::steady_timer t(io, 10ms);
    co_await t.async_wait(asio::use_awaitable);
    EXPECT_EQ(group.size(), 1u);
    group.cancel();
    joined = co_await group.join(5s);
  }, asio::detached);
  io.run();  // returns only once nothing is pending: the task really ended
  EXPECT_TRUE(started);
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(joined);
  EXPECT_EQ(group.size(), 0u);
  EXPECT_TRUE(problems.empty()) << problems.front();  // a cancellation is not a failure
}

TEST(TaskGroup, ReportsAFailingTaskAndCancelsTasksSpawnedAfterCancel) {
  asio::io_context io;
  std::vector<std::string> problems;
  TaskGroup group([&](const std::string& t, const std::string& p) { problems.push_back(t + ": " + p); });
  group.spawn("thrower", io.get_executor(), []() -> asio::awaitable<void> {
    throw std::runtime_error("boom");
    co_return;
  }());
  io.run();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "thrower: failed: boom");
  group.cancel();
  bool started = false, cancelled = false;
  io.restart();
  group.spawn("late", io.get_executor(), sleep_forever(started, cancelled));
  io.run();
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(group.size(), 0u);
}

// (A coroutine lambda's captures die with the closure: parameters of a free function live in
// the frame.)
asio::awaitable<void> count_if_on_strand(std::atomic<int>& count) {
  auto ex = co_await asio::this_coro::executor;
  if (ex.target<asio::strand<asio::any_io_executor>>() != nullptr) ++count;
}

// Regression for the usage reporter, which used the Redis client (whose callers must be on a
// strand) from the multi-threaded executor: every task of a group runs on a strand of its own.
TEST(TaskGroup, TasksRunOnTheirOwnStrand) {
  asio::io_context io(2);
  TaskGroup group([](const std::string&, const std::string&) {});
  std::atomic<int> on_strand{0};
  for (int i = 0; i < 8; ++i) {
    group.spawn("strand-check", io.get_executor(), count_if_on_strand(on_strand));
  }
  std::thread other([&] { io.run(); });
  io.run();
  other.join();
  EXPECT_EQ(on_strand.load(), 8);
}

struct Thing {
  int id;
};

TEST(ResourcePool, GrantsSlotsThenHandsResourcesToWaitersInOrder) {
  asio::io_context io;
  ResourcePool<Thing> pool(1, 10);
  std::vector<int> order;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto g = co_await pool.acquire(1s);
    EXPECT_EQ(g.resource, nullptr);  // an empty slot: the caller opens the resource
    auto mine = std::make_unique<Thing>(Thing{7});
    for (int i = 0; i < 3; ++i) {
      asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
        auto w = co_await pool.acquire(1s);
        EXPECT_NE(w.resource, nullptr);
        order.push_back(i);
        pool.put_back(std::move(w.resource));
      }, asio::detached);
    }
    asio::steady_timer t(io, 10ms);
    co_await t.async_wait(asio::use_awaitable);
    EXPECT_EQ(pool.stats().waiting, 3);
    pool.put_back(std::move(mine));
  }, asio::detached);
  io.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  auto s = pool.stats();
  EXPECT_EQ(s.open, 1);
  EXPECT_EQ(s.in_use, 0);
  EXPECT_EQ(s.waiting, 0);
}

// Preference: an idle resource the caller prefers is taken first; a returned resource goes to
// the first of the oldest waiters that prefers it, but the oldest waiter is passed over at most
// kMaxPassOvers times.
TEST(ResourcePool, PreferredIdleResourceIsTakenFirst) {
  asio::io_context io;
  ResourcePool<Thing> pool(3, 10);
  std::vector<int> got;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) EXPECT_EQ((co_await pool.acquire(1s)).resource, nullptr);
    for (int id : {1, 2, 3}) pool.put_back(std::make_unique<Thing>(Thing{id}));
    auto wants_2 = [](const Thing& t) { return t.id == 2; };
    auto a = pool.try_acquire({}, wants_2);
    got.push_back(a->resource->id);
    auto b = co_await pool.acquire(1s, {}, [](const Thing& t) { return t.id == 9; });
    got.push_back(b.resource ? b.resource->id : -1);  // nothing preferred: the last returned
    pool.put_back(std::move(a->resource));
    pool.put_back(std::move(b.resource));
  }, asio::detached);
  io.run();
  EXPECT_EQ(got, (std::vector<int>{2, 3}));
}

TEST(ResourcePool, ReturnedResourceGoesToAWaiterThatPrefersItWithinABound) {
  asio::io_context io;
  ResourcePool<Thing> pool(1, 32);
  std::vector<int> order;  // waiter numbers, in the order they were served
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto g = co_await pool.acquire(1s);
    // Waiter 0 prefers nothing; waiters 1..6 prefer the resource.
    for (int i = 0; i < 7; ++i) {
      ResourcePool<Thing>::Preference prefer;
      if (i > 0) prefer = [](const Thing& t) { return t.id == 7; };
      asio::co_spawn(io, [&, i, prefer]() -> asio::awaitable<void> {
        auto w = co_await pool.acquire(1s, {}, prefer);
        order.push_back(i);
        pool.put_back(std::move(w.resource));
      }, asio::detached);
    }
    asio::steady_timer t(io, 10ms);
    co_await t.async_wait(asio::use_awaitable);
    EXPECT_EQ(pool.stats().waiting, 7);
    pool.put_back(std::make_unique<Thing>(Thing{7}));
  }, asio::detached);
  io.run();
  // Waiter 0 is passed over kMaxPassOvers (4) times, then served; the rest in order.
  static_assert(ResourcePool<Thing>::kMaxPassOvers == 4);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 0, 5, 6}));
}

TEST(ResourcePool, TimesOutFullQueueAndCancelledWaitersLeaveTheQueue) {
  asio::io_context io;
  ResourcePool<Thing> pool(1, 1);
  asio::cancellation_signal cancel;
  bool timed_out = false, queue_full = false, aborted = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto g = co_await pool.acquire(1s);  // takes the only slot and keeps it
    try {
      co_await pool.acquire(20ms);
    } catch (const PoolExhausted& e) {
      timed_out = e.reason == PoolExhausted::Reason::kTimeout;
    }
    // One waiter parked (and cancelled below); a second one finds the queue full.
    asio::co_spawn(io, pool.acquire(10s),
                   asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, auto) {
                     try {
                       if (e) std::rethrow_exception(e);
                     } catch (const boost::system::system_error& se) {
                       aborted = se.code() == asio::error::operation_aborted;
                     }
                   }));
    asio::steady_timer t(io, 10ms);
    co_await t.async_wait(asio::use_awaitable);
    try {
      co_await pool.acquire(1s);
    } catch (const PoolExhausted& e) {
      queue_full = e.reason == PoolExhausted::Reason::kQueueFull;
    }
    cancel.emit(asio::cancellation_type::terminal);
    t.expires_after(10ms);
    co_await t.async_wait(asio::use_awaitable);
    EXPECT_EQ(pool.stats().waiting, 0);
    pool.free_slot();
  }, asio::detached);
  io.run();
  EXPECT_TRUE(timed_out);
  EXPECT_TRUE(queue_full);
  EXPECT_TRUE(aborted);
  auto s = pool.stats();
  EXPECT_EQ(s.open, 0);
  EXPECT_EQ(s.timeouts, 2u);
}

}  // namespace
}  // namespace autoblog::util
