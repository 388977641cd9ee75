#pragma once
// A group of background coroutines (the tenant change listener, sweepers, later job workers)
// owned by the runtime, so that none of them outlives the components it uses: shutdown cancels
// the group (terminal cancellation of every task: the operation a task is suspended in completes
// with operation_aborted, and so does every later one) and waits until every task has returned.
// A task that throws is logged and removed; the others keep running.
//
// Thread-safety: spawn(), cancel(), size() may be called from any thread; join() is awaited by
// one coroutine at a time. Each task runs on the executor given to spawn() (a strand for tasks
// that share state). Ownership: the group must outlive its tasks — the runtime joins it before
// destroying it or anything the tasks use.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

namespace autoblog::util {

class TaskGroup {
 public:
  // Told about a task that failed (threw anything but operation_aborted) or did not stop in
  // time; util/ sits below logging, so the owner decides how to report.
  using Reporter = std::function<void(const std::string& task, const std::string& problem)>;
  explicit TaskGroup(Reporter report) : report_(std::move(report)) {}
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `task` now. After cancel() a spawned task is cancelled at once.
  void spawn(std::string name, boost::asio::any_io_executor executor,
             boost::asio::awaitable<void> task);
  // Asks every task to stop; returns at once (see join()).
  void cancel();
  // Completes when no task is left, or after `timeout` (false: tasks are still running, named in
  // the log).
  boost::asio::awaitable<bool> join(std::chrono::milliseconds timeout);
  std::size_t size() const;

 private:
  struct Task;
  void finished(const std::shared_ptr<Task>& task);

  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Task>> tasks_;
  bool cancelled_ = false;
  Reporter report_;
};

}  // namespace autoblog::util
