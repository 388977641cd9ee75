#include "jobs/placeholder_engine.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "content/providers/template_provider.h"

namespace autoblog::jobs {

namespace providers = content::providers;

namespace {

boost::json::value parse_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(*text, ec);
  return ec ? boost::json::value(nullptr) : v;
}

std::string string_field(const boost::json::value& v, std::initializer_list<const char*> keys) {
  if (!v.is_object()) return {};
  for (auto* k : keys)
    if (auto* f = v.as_object().if_contains(k); f && f->is_string())
      return std::string(f->as_string());
  return {};
}

// The strings of an array, or of an object's array member `key`.
std::vector<std::string> strings(const boost::json::value& v, const char* key = nullptr) {
  const boost::json::value* a = &v;
  if (key) a = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  std::vector<std::string> out;
  if (a && a->is_array())
    for (auto& s : a->as_array())
      if (s.is_string()) out.emplace_back(s.as_string());
  return out;
}

// The facts the template provider composes its draft from, out of the item and the brand.
providers::DraftInputs draft_inputs(const GenerationInputs& in) {
  auto inspiration = parse_or_null(in.inspiration_json);
  auto brief = parse_or_null(in.brief_json);
  providers::DraftInputs d;
  d.topics = strings(parse_or_null(in.topics_json));
  d.topic = string_field(brief, {"title", "angle"});
  if (d.topic.empty()) d.topic = string_field(inspiration, {"title", "topic", "summary"});
  if (d.topic.empty() && !d.topics.empty()) d.topic = d.topics.front();
  d.angle = string_field(brief, {"angle"});
  d.audience = string_field(brief, {"audience"});
  d.outline = strings(brief, "outline");
  d.keywords = strings(parse_or_null(in.seo_strategy_json), "keywords");
  for (auto& k : strings(brief, "keywords")) d.keywords.push_back(std::move(k));
  d.voice = string_field(parse_or_null(in.voice_tone_json), {"tone"});
  return d;
}

}  // namespace

boost::asio::awaitable<GeneratedArticle> PlaceholderEngine::write(
    const tenancy::ActiveTenant&, const GenerationInputs& in) {
  if (latency_.count() > 0) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, latency_);
    co_await t.async_wait(boost::asio::use_awaitable);
  }
  providers::TextRequest request;
  request.task = providers::TextTask::kArticle;
  request.inputs = draft_inputs(in);
  auto draft = providers::template_text(request);
  co_return GeneratedArticle{std::move(draft.text), std::nullopt, draft.provider, draft.model};
}

}  // namespace autoblog::jobs
