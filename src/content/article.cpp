#include "content/article.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "content/providers/slug.h"

namespace autoblog::content {

namespace json = boost::json;

namespace {

// A problem with the answer, in the words the repair prompt and the failure reason use.
struct Problem {
  std::string text;
};

std::string required_text(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) throw Problem{std::string("field '") + key + "' is missing"};
  if (!v->is_string()) throw Problem{std::string("field '") + key + "' is not a string"};
  return std::string(v->as_string());
}

std::vector<std::string> string_list(const json::object& o, const char* key) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) throw Problem{std::string("field '") + key + "' is not a list of strings"};
  for (auto& e : v->as_array()) {
    if (!e.is_string())
      throw Problem{std::string("field '") + key + "' is not a list of strings"};
    out.emplace_back(e.as_string());
  }
  return out;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::string text_or_empty(const json::object* o, const char* key) {
  if (!o) return {};
  auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string> strings_or_empty(const json::value* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (auto& e : v->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

}  // namespace

json::object Article::to_json() const {
  json::object o;
  o["title"] = title;
  o["slug"] = slug;
  o["meta_description"] = meta_description;
  json::array out;
  for (auto& s : outline) out.emplace_back(s);
  o["outline"] = std::move(out);
  o["body_markdown"] = body_markdown;
  json::array kw;
  for (auto& s : keywords) kw.emplace_back(s);
  o["keywords"] = std::move(kw);
  return o;
}

std::variant<Article, std::string> parse_article(std::string_view json_text) {
  boost::system::error_code ec;
  auto v = json::parse(json_text, ec);
  if (ec) return "the answer is not JSON (" + ec.message() + ")";
  if (!v.is_object()) return std::string("the answer is not a JSON object");
  const auto& o = v.as_object();
  try {
    Article a;
    a.title = required_text(o, "title");
    if (blank(a.title)) throw Problem{"field 'title' is empty"};
    a.body_markdown = required_text(o, "body_markdown");
    if (blank(a.body_markdown)) throw Problem{"field 'body_markdown' is empty"};
    a.meta_description = required_text(o, "meta_description");
    a.outline = string_list(o, "outline");
    a.keywords = string_list(o, "keywords");
    if (auto* s = o.if_contains("slug"); s && s->is_string())
      a.slug = providers::slugify(std::string_view(s->as_string()));
    if (a.slug.empty()) a.slug = providers::slugify(a.title);
    if (a.slug.empty()) a.slug = "article";
    return a;
  } catch (const Problem& p) {
    return p.text;
  }
}

quality::Scores score_generated(const json::value& generated_content,
                                const json::value& seo_strategy) {
  const json::object* g = generated_content.if_object();
  quality::Article a;
  a.title = text_or_empty(g, "title");
  a.meta_description = text_or_empty(g, "meta_description");
  a.body_markdown = text_or_empty(g, "body_markdown");
  const json::object* seo = seo_strategy.if_object();
  a.keywords = strings_or_empty(seo ? seo->if_contains("keywords") : nullptr);
  if (a.keywords.empty()) a.keywords = strings_or_empty(g ? g->if_contains("keywords") : nullptr);
  return quality::score(a, quality::parse_thresholds(seo_strategy));
}

}  // namespace autoblog::content
