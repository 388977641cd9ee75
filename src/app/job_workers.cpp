#include "app/job_workers.h"

#include "app/backends.h"
#include "app/runtime.h"
#include "content/providers/factory.h"
#include "jobs/builtin_handlers.h"
#include "tenancy/registry.h"

namespace autoblog::app {

JobWorkers::JobWorkers(Runtime& rt, int concurrency)
    : rt_(rt),
      prompts_(content::engine::PromptTemplates::load(rt.config().prompts_dir)),
      text_(content::providers::make_text_generator(rt.config().ai, rt.backends().http())),
      images_(content::providers::make_image_generator(rt.config().ai, rt.backends().http())),
      budget_(rt.pool(), content::ProviderBudget::limits_from(rt.config().ai)),
      engine_(*text_, *images_, budget_, rt.backends().storage(), rt.config().ai, prompts_),
      handlers_(jobs::builtin_handlers(
          engine_, rt.metrics(), rt.backends().http(),
          content::trends::FeedLimits{.timeout = rt.config().trends_feed_timeout,
                                      .max_bytes = rt.config().trends_feed_max_bytes},
          rt.backends().storage(), rt.config().publish_timeout)) {
  const auto& c = rt.config().jobs;
  jobs::WorkerOptions o;
  o.conninfo = rt.conninfo();
  o.concurrency = concurrency;
  o.max_claim_batch = c.claim_batch;
  o.lease = c.lease;
  o.heartbeat = c.heartbeat;
  o.poll = c.poll;
  o.retry_base = c.retry_base;
  o.retry_cap = c.retry_max;
  o.retention = c.retention;
  o.janitor_interval = std::min(std::chrono::milliseconds(1000), c.heartbeat);
  const tenancy::Tier tiers[] = {tenancy::Tier::kStarter, tenancy::Tier::kGrowth,
                                 tenancy::Tier::kEnterprise};
  for (int i = 0; i < 3; ++i)
    o.tier_caps[i] = static_cast<int>(tenancy::tier_defaults(tiers[i]).max_concurrent_generations);
  worker_ = std::make_unique<jobs::Worker>(rt.io().get_executor(), rt.pool(), rt.registry(),
                                           handlers_, rt.metrics(), std::move(o));
}

JobWorkers::~JobWorkers() = default;

void JobWorkers::start() { rt_.tasks().spawn("job-worker", worker_->executor(), worker_->run()); }

boost::asio::awaitable<void> JobWorkers::drain(std::chrono::steady_clock::time_point deadline) {
  co_await worker_->drain(deadline);
}

}  // namespace autoblog::app
