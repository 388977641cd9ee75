#include "jobs/placeholder_engine.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

namespace autoblog::jobs {

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

std::string slugify(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-') out += '-';
    if (out.size() >= 80) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "untitled" : out;
}

}  // namespace

boost::asio::awaitable<GeneratedArticle> PlaceholderEngine::write(
    const tenancy::ActiveTenant&, const GenerationInputs& in) {
  if (latency_.count() > 0) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, latency_);
    co_await t.async_wait(boost::asio::use_awaitable);
  }
  auto inspiration = parse_or_null(in.inspiration_json);
  auto brief = parse_or_null(in.brief_json);
  auto topics = parse_or_null(in.topics_json);
  std::string title = string_field(brief, {"title", "angle"});
  if (title.empty()) title = string_field(inspiration, {"title", "topic", "summary"});
  if (title.empty() && topics.is_array() && !topics.as_array().empty() &&
      topics.as_array()[0].is_string())
    title = std::string(topics.as_array()[0].as_string());
  if (title.empty()) title = "Untitled draft";

  boost::json::array keywords;
  if (topics.is_array())
    for (auto& t : topics.as_array())
      if (t.is_string()) keywords.push_back(t);
  std::string body = "# " + title + "\n\nThis is a placeholder draft written by the offline "
                     "template provider; configure an AI provider for real articles.\n";
  boost::json::object article{
      {"title", title},
      {"slug", slugify(title)},
      {"meta_description", "Placeholder draft: " + title},
      {"outline", boost::json::array{title}},
      {"body_markdown", body},
      {"keywords", keywords},
      {"provider", "template"},
      {"model", "template"}};
  co_return GeneratedArticle{boost::json::serialize(article), std::nullopt, "template", "template"};
}

}  // namespace autoblog::jobs
