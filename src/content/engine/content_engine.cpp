#include "content/engine/content_engine.h"

#include <boost/json/parse.hpp>
#include <optional>
#include <variant>

#include "content/engine/prompt_facts.h"
#include "content/providers/budgeted.h"
#include "content/providers/errors.h"
#include "content/providers/model_selection.h"

namespace autoblog::content::engine {

namespace asio = boost::asio;
namespace json = boost::json;
using providers::TextRequest;
using providers::TextResult;

namespace {

// The brief the model answered, checked: a JSON object whose outline and keywords, when present,
// are lists of strings. Returns the object or what is wrong with it.
std::variant<json::object, std::string> parse_brief(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return "the answer is not JSON (" + ec.message() + ")";
  if (!v.is_object()) return std::string("the answer is not a JSON object");
  auto& o = v.as_object();
  for (const char* key : {"outline", "keywords"}) {
    auto* list = o.if_contains(key);
    if (!list || list->is_null()) continue;
    bool ok = list->is_array();
    if (ok)
      for (auto& e : list->as_array()) ok = ok && e.is_string();
    if (!ok) return std::string("field '") + key + "' is not a list of strings";
  }
  for (const char* key : {"angle", "audience"})
    if (auto* s = o.if_contains(key); s && !s->is_string() && !s->is_null())
      return std::string("field '") + key + "' is not a string";
  if (!o.contains("angle") && !o.contains("outline"))
    return std::string("it has neither 'angle' nor 'outline'");
  return std::move(o);
}

std::string_view extension_of(std::string_view content_type) {
  if (content_type == "image/png") return "png";
  if (content_type == "image/jpeg") return "jpg";
  if (content_type == "image/webp") return "webp";
  if (content_type == "image/gif") return "gif";
  if (content_type == "image/svg+xml") return "svg";
  return "bin";
}

// A text request and its repair: the result of the first usable answer.
template <class T>
struct Answer {
  T value;
  TextResult result;  // the answer's metadata (provider, model)
  TokenUsage usage;   // of every request made, the repair included
  bool repaired = false;
};

}  // namespace

// Asks `request`, validates the answer with `validate` (T or the problem in words), and asks
// once more with the repair instruction when the first answer cannot be used.
template <class T, class Validate>
static asio::awaitable<Answer<T>> ask(providers::TextGenerator& text, ProviderBudget& budget,
                                      const PromptTemplates& prompts, TextRequest request,
                                      Validate validate) {
  TokenUsage usage;
  std::string problem;
  for (int round = 0; round < 2; ++round) {
    TextRequest attempt = request;
    if (round == 1) {
      std::map<std::string, std::string> vars;
      vars["problem"] = problem;
      attempt.user_prompt += "\n\n" + prompts.render(Prompt::kRepair, vars);
    }
    std::optional<TextResult> result;
    std::optional<std::string> invalid, rejected;
    std::optional<Snooze> snooze;
    try {
      auto r = co_await generate_within_budget(budget, text, std::move(attempt));
      if (auto* s = std::get_if<Snooze>(&r)) snooze = std::move(*s);
      else result = std::move(std::get<TextResult>(r));
    } catch (const providers::ProviderInvalidResponse& e) {
      invalid = e.what();
    } catch (const providers::ProviderRejected& e) {
      rejected = e.what();
    }
    if (snooze) throw ProviderBusy(snooze->retry_after, "AI provider busy: " + snooze->reason);
    if (rejected)
      throw GenerationFailed("the AI provider refused the request: " + *rejected, usage);
    if (invalid) {
      problem = *invalid;
      continue;
    }
    usage.prompt_tokens += result->prompt_tokens;
    usage.completion_tokens += result->completion_tokens;
    auto checked = validate(std::string_view(result->text));
    if (auto* value = std::get_if<T>(&checked))
      co_return Answer<T>{std::move(*value), std::move(*result), usage, round == 1};
    problem = std::get<std::string>(checked);
    if (result->finish_reason == "length") problem += " (the answer was cut at the token limit)";
  }
  throw GenerationFailed(
      "the model's answer could not be used, even after a repair request: " + problem, usage);
}

TextRequest ContentEngine::text_request(const tenancy::Tenant& tenant,
                                        const GenerationInputs& inputs, providers::TextTask task,
                                        Prompt system, Prompt user, int max_tokens) const {
  auto facts = prompt_facts(inputs);
  TextRequest request;
  request.task = task;
  request.model = providers::select_model(tenant, settings_).text_model;
  request.system_prompt = prompts_.render(system, facts.vars);
  request.user_prompt = prompts_.render(user, facts.vars);
  request.max_tokens = max_tokens;
  request.inputs = std::move(facts.draft);
  return request;
}

asio::awaitable<WrittenBrief> ContentEngine::write_brief(const tenancy::Tenant& tenant,
                                                         const GenerationInputs& inputs) {
  auto request = text_request(tenant, inputs, providers::TextTask::kBrief, Prompt::kBriefSystem,
                              Prompt::kBriefUser, 1024);
  auto answer = co_await ask<json::object>(text_, budget_, prompts_, std::move(request), parse_brief);
  co_return WrittenBrief{std::move(answer.value), answer.result.provider, answer.result.model,
                         answer.usage};
}

asio::awaitable<WrittenArticle> ContentEngine::write_article(const tenancy::Tenant& tenant,
                                                             const GenerationInputs& inputs) {
  auto request = text_request(tenant, inputs, providers::TextTask::kArticle,
                              Prompt::kArticleSystem, Prompt::kArticleUser, 4096);
  auto answer = co_await ask<Article>(text_, budget_, prompts_, std::move(request),
                                      [](std::string_view t) { return parse_article(t); });
  co_return WrittenArticle{std::move(answer.value), answer.result.provider, answer.result.model,
                           answer.usage, answer.repaired};
}

asio::awaitable<StoredImage> ContentEngine::illustrate(const tenancy::Tenant& tenant,
                                                       const GenerationInputs& inputs,
                                                       const Article& article) {
  auto facts = prompt_facts(inputs);
  facts.vars["title"] = article.title;
  const auto choice = providers::select_model(tenant, settings_);
  providers::ImageRequest request;
  request.prompt = prompts_.render(Prompt::kImage, facts.vars);
  request.quality = choice.image_quality;
  request.model = choice.image_model;
  request.size = settings_.image_size;
  request.title = article.title;

  std::optional<providers::ImageResult> image;
  std::optional<Snooze> snooze;
  std::optional<std::string> unusable;
  try {
    auto r = co_await generate_within_budget(budget_, images_, std::move(request));
    if (auto* s = std::get_if<Snooze>(&r)) snooze = std::move(*s);
    else image = std::move(std::get<providers::ImageResult>(r));
  } catch (const providers::ProviderRejected& e) {
    unusable = std::string("the image provider refused the request: ") + e.what();
  } catch (const providers::ProviderInvalidResponse& e) {
    unusable = std::string("the image provider's answer could not be used: ") + e.what();
  }
  if (snooze) throw ProviderBusy(snooze->retry_after, "image provider busy: " + snooze->reason);
  if (unusable) throw GenerationFailed(*unusable);

  // One key per item: a regeneration or a retried job replaces the image, never piles up more.
  std::string key = "assets/" + inputs.content_id + "/hero." +
                    std::string(extension_of(image->content_type));
  const auto size = image->bytes.size();
  co_await storage_.put(tenant.id, key, std::move(image->bytes), image->content_type);
  json::object asset;
  asset["key"] = key;
  asset["url"] = "/v1/files/" + key;
  asset["content_type"] = image->content_type;
  asset["size"] = size;
  asset["provider"] = image->provider;
  asset["model"] = image->model;
  asset["quality"] = choice.image_quality;
  co_return StoredImage{std::move(asset)};
}

}  // namespace autoblog::content::engine
