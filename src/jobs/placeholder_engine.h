#pragma once
// The engine the generate_content job runs with until the content engine is wired: the offline
// `template` provider's deterministic draft (content/providers/template_provider.h), composed
// from the item's inspiration or brief and the brand's topics, keywords and voice, labelled
// "provider": "template". It lets `make run` take an item from
// `generating` to `generated` with nothing configured; it does not pretend to be AI.
// `latency` simulates a provider's response time (demos, load tests of the concurrency caps).
// Thread-safe (immutable).
#include <chrono>

#include "jobs/content_engine.h"

namespace autoblog::jobs {

class PlaceholderEngine : public ContentEngine {
 public:
  explicit PlaceholderEngine(std::chrono::milliseconds latency = {}) : latency_(latency) {}
  boost::asio::awaitable<GeneratedArticle> write(const tenancy::ActiveTenant& tenant,
                                                 const GenerationInputs& inputs) override;

 private:
  std::chrono::milliseconds latency_;
};

}  // namespace autoblog::jobs
