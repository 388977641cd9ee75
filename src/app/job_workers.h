#pragma once
// The job side of a process, assembled from the configuration: the AI providers (the
// configured OpenAI-compatible endpoint, or the offline template provider), the shared provider
// budget, the prompt templates, the content engine, the handlers of every job kind and one
// Worker on the runtime (docs/jobs.md, docs/providers.md). `serve --workers N` and
// `autoblog worker --concurrency N` both build it; the worker process only runs it.
// Construction loads the prompt templates (AUTOBLOG_PROMPTS_DIR): a bad template throws
// std::invalid_argument before anything starts.
// Start() spawns the worker in the runtime's task group; drain() must be awaited before the
// runtime cancels that group (the assemblies do it in their stop step). Not thread-safe; lives
// in the assembly's scope, after the Runtime (whose backends own the HTTP client and storage).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "content/engine/content_engine.h"
#include "content/engine/prompt_templates.h"
#include "content/provider_budget.h"
#include "jobs/handler.h"
#include "jobs/worker.h"

namespace autoblog::app {

class Runtime;

class JobWorkers {
 public:
  JobWorkers(Runtime& rt, int concurrency);
  ~JobWorkers();
  void start();
  boost::asio::awaitable<void> drain(std::chrono::steady_clock::time_point deadline);
  const jobs::Worker& worker() const { return *worker_; }

 private:
  Runtime& rt_;
  content::engine::PromptTemplates prompts_;
  std::unique_ptr<content::providers::TextGenerator> text_;
  std::unique_ptr<content::providers::ImageGenerator> images_;
  content::ProviderBudget budget_;
  content::engine::ContentEngine engine_;
  jobs::HandlerRegistry handlers_;
  std::unique_ptr<jobs::Worker> worker_;
};

}  // namespace autoblog::app
