#pragma once
// The job side of a process, assembled from the configuration: the content engine, the
// handlers of every job kind and one Worker on the runtime (docs/jobs.md). `serve --workers N`
// and `autoblog worker --concurrency N` both build it; the worker process only runs it.
// Start() spawns the worker in the runtime's task group; drain() must be awaited before the
// runtime cancels that group (the assemblies do it in their stop step). Not thread-safe; lives
// in the assembly's scope, after the Runtime.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "jobs/handler.h"
#include "jobs/placeholder_engine.h"
#include "jobs/worker.h"

namespace autoblog::app {

class Runtime;

class JobWorkers {
 public:
  JobWorkers(Runtime& rt, int concurrency);
  void start();
  boost::asio::awaitable<void> drain(std::chrono::steady_clock::time_point deadline);
  const jobs::Worker& worker() const { return *worker_; }

 private:
  Runtime& rt_;
  jobs::PlaceholderEngine engine_;
  jobs::HandlerRegistry handlers_;
  std::unique_ptr<jobs::Worker> worker_;
};

}  // namespace autoblog::app
