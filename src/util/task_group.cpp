#include "util/task_group.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>


namespace autoblog::util {

namespace asio = boost::asio;

struct TaskGroup::Task {
  std::string name;
  // Every task runs on its own strand, so the signal (not thread-safe) is only emitted there,
  // never concurrently with the task.
  asio::strand<asio::any_io_executor> strand;
  asio::cancellation_signal signal;
  Task(std::string n, asio::any_io_executor ex) : name(std::move(n)), strand(asio::make_strand(ex)) {}
};

TaskGroup::~TaskGroup() {
  std::lock_guard lock(mutex_);
  for (const auto& t : tasks_) report_(t->name, "still running when its group was destroyed");
}

void TaskGroup::spawn(std::string name, asio::any_io_executor executor,
                      asio::awaitable<void> task) {
  auto t = std::make_shared<Task>(std::move(name), std::move(executor));
  bool cancel_now;
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(t);
    cancel_now = cancelled_;
  }
  asio::co_spawn(t->strand, std::move(task),
                 asio::bind_cancellation_slot(t->signal.slot(), [this, t](std::exception_ptr e) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const boost::system::system_error& se) {
                       if (se.code() != asio::error::operation_aborted)
                         report_(t->name, std::string("failed: ") + se.what());
                     } catch (const std::exception& ex) {
                       report_(t->name, std::string("failed: ") + ex.what());
                     } catch (...) {
                       report_(t->name, "failed with a non-standard exception");
                     }
                   }
                   finished(t);
                 }));
  if (cancel_now) asio::post(t->strand, [t] { t->signal.emit(asio::cancellation_type::terminal); });
}

void TaskGroup::finished(const std::shared_ptr<Task>& task) {
  std::lock_guard lock(mutex_);
  tasks_.remove(task);
}

void TaskGroup::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (const auto& t : tasks_)
    asio::post(t->strand, [t] { t->signal.emit(asio::cancellation_type::terminal); });
}

asio::awaitable<bool> TaskGroup::join(std::chrono::milliseconds timeout) {
  // Polled: join runs once, at shutdown, and a few milliseconds of latency there cost nothing,
  // where a notification would put a waiter list on every task's completion path.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    if (size() == 0) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) break;
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(asio::use_awaitable);
  }
  std::lock_guard lock(mutex_);
  for (const auto& t : tasks_) report_(t->name, "did not stop in time");
  co_return false;
}

std::size_t TaskGroup::size() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

}  // namespace autoblog::util
