#pragma once
// TextGenerator: the edge between the content engine and a text model. Two implementations
// (make_text_generator in factory.h picks one): `openai` (any OpenAI-compatible endpoint) and
// `template` (offline, deterministic). Failures are the typed errors of providers/errors.h.
//
// A request carries the prompts the engine built AND the structured facts it built them from
// (DraftInputs): a model reads the prompts; the template provider cannot understand prose, so
// it composes its draft from the facts instead of parsing the prompt text back. Both answer the
// same JSON shape for a task, so the engine validates every provider's answer the same way.
//
// Implementations are thread-safe: one instance serves every worker coroutine concurrently.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::content::providers {

// What the answer must be (the JSON object the prompt asks for).
enum class TextTask {
  // {"title", "slug", "meta_description", "outline": [..], "body_markdown", "keywords": [..]}
  kArticle,
  // {"angle", "audience", "outline": [..], "keywords": [..]}: a brief for an inspiration item
  kBrief,
};

// The facts behind the prompt, in plain fields. Empty fields are simply left out.
struct DraftInputs {
  std::string brand_name;
  std::string topic;  // the item's title or inspiration headline: what the piece is about
  std::string angle;  // from the brief, when there is one
  std::string audience;
  std::vector<std::string> outline;   // section headings from the brief
  std::vector<std::string> topics;    // the brand's topics
  std::vector<std::string> keywords;  // target keywords (SEO strategy, then the brief's)
  std::string voice;                  // voice and tone, e.g. "friendly, practical"
};

struct TextRequest {
  TextTask task = TextTask::kArticle;
  std::string model;  // e.g. select_model(tenant, settings).text_model
  std::string system_prompt;
  std::string user_prompt;
  bool want_json_object = true;  // response_format {"type": "json_object"}
  int max_tokens = 4096;
  // The whole call's deadline, retries included; unset = the provider's configured timeout
  // (the earlier of the two applies when both are known).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  DraftInputs inputs;
};

struct TextResult {
  std::string text;      // the model's message content (a JSON object when asked for one)
  std::string model;     // as the provider reports it (may be more precise than requested)
  std::string provider;  // "openai" or "template"
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::string finish_reason;  // "stop", "length" (answer cut at max_tokens), ...
  int attempts = 1;           // HTTP requests made (retries included), for ProviderBudget::settle
};

class TextGenerator {
 public:
  virtual ~TextGenerator() = default;
  // The provider's name: "openai" or "template" (also the ProviderBudget key).
  virtual std::string_view name() const = 0;
  virtual boost::asio::awaitable<TextResult> generate(TextRequest request) = 0;
};

}  // namespace autoblog::content::providers
