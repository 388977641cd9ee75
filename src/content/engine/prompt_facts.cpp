#include "content/engine/prompt_facts.h"

#include <boost/json/serialize.hpp>

#include "content/content_json.h"

namespace autoblog::content::engine {

namespace json = boost::json;

namespace {

// Bounds on what a tenant's data may add to a prompt (bytes, cut on a character boundary).
constexpr std::size_t kMaxValue = 500;
constexpr std::size_t kMaxBlock = 4000;

std::string bounded(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return {};
  return json::serialize(v);
}

std::string string_field(const json::value& v, std::initializer_list<const char*> keys) {
  if (!v.is_object()) return {};
  for (auto* k : keys)
    if (auto* f = v.as_object().if_contains(k); f && f->is_string() && !f->as_string().empty())
      return bounded(f->as_string(), kMaxValue);
  return {};
}

// The strings of an array, or of an object's array member `key` (at most 20, each bounded).
std::vector<std::string> strings(const json::value& v, const char* key = nullptr) {
  const json::value* a = &v;
  if (key) a = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  std::vector<std::string> out;
  if (a && a->is_array())
    for (auto& s : a->as_array())
      if (s.is_string() && !s.as_string().empty() && out.size() < 20)
        out.push_back(bounded(s.as_string(), kMaxValue));
  return out;
}

// {"tone": "warm", "person": "we"} -> "tone: warm; person: we" (keys in the brand's order).
std::string key_values(const json::value& v, std::string_view separator) {
  if (v.is_string()) return bounded(v.as_string(), kMaxBlock);
  if (!v.is_object()) return {};
  std::string out;
  for (auto& [k, val] : v.as_object()) {
    auto text = scalar_text(val);
    if (text.empty()) continue;
    if (!out.empty()) out += separator;
    out += std::string(k) + ": " + bounded(text, kMaxValue);
    if (out.size() > kMaxBlock) return bounded(out, kMaxBlock);
  }
  return out;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (auto& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

void add_unique(std::vector<std::string>& to, std::vector<std::string> from) {
  for (auto& s : from) {
    bool seen = false;
    for (auto& t : to) seen = seen || t == s;
    if (!seen) to.push_back(std::move(s));
  }
}

}  // namespace

PromptFacts prompt_facts(const GenerationInputs& in) {
  const auto inspiration = json_or_null(in.inspiration_json);
  const auto brief = json_or_null(in.brief_json);
  const auto voice = json_or_null(in.voice_tone_json);
  PromptFacts f;
  auto& d = f.draft;
  d.brand_name = bounded(in.brand_name, kMaxValue);
  d.topics = strings(json_or_null(in.topics_json));
  d.topic = string_field(brief, {"title", "topic"});
  if (d.topic.empty()) d.topic = string_field(inspiration, {"title", "topic", "headline", "summary"});
  if (d.topic.empty()) d.topic = string_field(brief, {"angle"});
  if (d.topic.empty() && !d.topics.empty()) d.topic = d.topics.front();
  d.angle = string_field(brief, {"angle"});
  d.audience = string_field(brief, {"audience"});
  d.outline = strings(brief, "outline");
  d.keywords = strings(json_or_null(in.seo_strategy_json), "keywords");
  add_unique(d.keywords, strings(brief, "keywords"));
  d.voice = key_values(voice, "; ");

  const std::string none = "(none given)";
  auto or_none = [&](std::string s) { return s.empty() ? none : s; };
  f.vars["brand_name"] = d.brand_name.empty() ? "the brand" : d.brand_name;
  f.vars["voice"] = or_none(d.voice);
  f.vars["topics"] = or_none(joined(d.topics, ", "));
  f.vars["keywords"] = or_none(joined(d.keywords, ", "));
  f.vars["topic"] = or_none(d.topic);
  f.vars["angle"] = or_none(d.angle);
  f.vars["audience"] = or_none(d.audience);
  std::string outline;
  for (std::size_t i = 0; i < d.outline.size(); ++i)
    outline += std::to_string(i + 1) + ". " + d.outline[i] + "\n";
  f.vars["outline"] = outline.empty() ? "(choose 4 to 6 sections)\n" : outline;
  f.vars["inspiration"] = key_values(inspiration, "\n");
  f.vars["visual_style"] = or_none(key_values(json_or_null(in.visual_style_json), "; "));
  return f;
}

}  // namespace autoblog::content::engine
