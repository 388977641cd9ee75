#include "content/providers/template_provider.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "content/providers/slug.h"

namespace autoblog::content::providers {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxTitle = 60;
constexpr std::size_t kMinMeta = 120;
constexpr std::size_t kMaxMeta = 156;

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// The longest prefix of at most `max` bytes that does not split a UTF-8 sequence.
std::string utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80) --max;
  return std::string(s.substr(0, max));
}

// Cut at a word boundary so that the result is at most `max` bytes.
std::string cut_words(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  auto cut = s.rfind(' ', max);
  s = cut == std::string::npos || cut == 0 ? utf8_prefix(s, max) : s.substr(0, cut);
  while (!s.empty() && (s.back() == ' ' || s.back() == ',' || s.back() == ':')) s.pop_back();
  return s;
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::vector<std::string> non_empty(const std::vector<std::string>& in, std::size_t max) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    auto t = trim(s);
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    if (out.size() == max) break;
  }
  return out;
}

// The draft's facts with every gap filled, so the templates below never print an empty slot.
struct Facts {
  std::string topic, audience, brand, angle, voice;
  std::vector<std::string> keywords;  // at least one
  std::vector<std::string> outline;   // at least one
};

Facts facts_of(const DraftInputs& in) {
  Facts f;
  f.keywords = non_empty(in.keywords, 8);
  auto topics = non_empty(in.topics, 8);
  f.topic = trim(in.topic);
  if (f.topic.empty())
    f.topic = !topics.empty() ? topics[0] : !f.keywords.empty() ? f.keywords[0] : "our latest news";
  if (f.keywords.empty()) f.keywords = topics.empty() ? std::vector{f.topic} : topics;
  f.audience = trim(in.audience);
  if (f.audience.empty()) f.audience = "readers who care about " + f.topic;
  f.brand = trim(in.brand_name);
  if (f.brand.empty()) f.brand = "our team";
  f.angle = trim(in.angle);
  if (f.angle.empty()) f.angle = "A practical, step-by-step look at " + f.topic + ".";
  f.voice = trim(in.voice);
  f.outline = non_empty(in.outline, 12);
  if (f.outline.empty()) {
    const std::string& k0 = f.keywords[0];
    const std::string& k1 = f.keywords.size() > 1 ? f.keywords[1] : k0;
    f.outline = {"What " + f.topic + " means", "Why " + k0 + " matters",
                 "How to get started with " + k1, "Common mistakes to avoid", "Key takeaways"};
  }
  return f;
}

// Short sentences (under 20 words each), two paragraphs per section, rotated by section so that
// sections do not repeat each other word for word.
constexpr std::array<std::array<const char*, 4>, 5> kOpeners = {{
    {"This section looks at {heading}.", "{Kw} is a good place to start for {audience}.",
     "Small, steady steps work better than one big change.",
     "Write down what you want to achieve before you begin."},
    {"Here is why this part deserves your attention.",
     "Most {audience} meet {kw} sooner than they expect.",
     "A clear plan turns it from a worry into an advantage.",
     "Start with the basics and build from there."},
    {"Getting started is easier than it looks.", "Pick one goal that involves {kw}.",
     "Try it for two weeks and note what changes.",
     "Keep the first version simple so you can learn from it."},
    {"Every team makes a few of the same mistakes.",
     "The most common one is doing too much at once.",
     "Another is ignoring {kw} until it becomes urgent.", "A short checklist prevents both."},
    {"Let us bring the main points together.", "{Kw} rewards patience and regular attention.",
     "Measure what matters and drop what does not.", "Then repeat what works."},
}};
constexpr std::array<std::array<const char*, 3>, 3> kFollowUps = {{
    {"At {brand}, we see the same pattern again and again.",
     "Teams that measure their results learn faster.",
     "Check your progress every week and adjust the plan."},
    {"Ask the people you serve what they need most.", "Their answers often point straight to {kw}.",
     "Use their words when you explain your next step."},
    {"Good habits matter more than perfect tools.",
     "A simple routine beats a complicated one you never follow.",
     "Share what you learn so others can build on it."},
}};

std::string fill(std::string_view pattern, const Facts& f, const std::string& kw,
                 const std::string& heading) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    auto slot = [&](std::string_view name) { return pattern.substr(i).starts_with(name); };
    if (slot("{kw}")) {
      out += kw, i += 4;
    } else if (slot("{Kw}")) {
      out += capitalised(kw), i += 4;
    } else if (slot("{audience}")) {
      out += f.audience, i += 10;
    } else if (slot("{brand}")) {
      out += f.brand, i += 7;
    } else if (slot("{heading}")) {
      std::string h = heading;
      if (!h.empty() && h[0] >= 'A' && h[0] <= 'Z') h[0] = static_cast<char>(h[0] - 'A' + 'a');
      out += h, i += 9;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

template <std::size_t N>
std::string paragraph(const std::array<const char*, N>& sentences, const Facts& f,
                      const std::string& kw, const std::string& heading) {
  std::string p;
  for (const char* s : sentences) {
    if (!p.empty()) p += ' ';
    p += fill(s, f, kw, heading);
  }
  return p;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string article(const Facts& f) {
  std::string title = cut_words(capitalised(f.topic), kMaxTitle);
  std::string slug = slugify(title);
  if (slug.empty()) slug = "post";

  std::string body = f.angle + "\n";
  if (!f.voice.empty()) body += "\nWritten in a " + f.voice + " voice for " + f.audience + ".\n";
  for (std::size_t i = 0; i < f.outline.size(); ++i) {
    const std::string& heading = f.outline[i];
    const std::string& kw = f.keywords[i % f.keywords.size()];
    body += "\n## " + heading + "\n\n";
    body += paragraph(kOpeners[i % kOpeners.size()], f, kw, heading) + "\n\n";
    body += paragraph(kFollowUps[i % kFollowUps.size()], f, kw, heading) + "\n";
  }
  body +=
      "\n_This draft was composed by AutoBlog's offline template provider, not by an AI model. "
      "Configure an AI endpoint to have articles written for you._\n";

  std::string meta =
      capitalised(f.topic) + ": a short guide for " + f.audience + " on " + f.keywords[0];
  for (std::size_t i = 1; i < f.keywords.size() && i < 3; ++i)
    meta += (i + 1 == std::min<std::size_t>(f.keywords.size(), 3) ? " and " : ", ") + f.keywords[i];
  meta += ".";
  if (meta.size() < kMinMeta) meta += " Practical steps, common mistakes and key takeaways.";
  if (meta.size() < kMinMeta) meta += " Clear advice you can use this week.";
  meta = cut_words(meta, kMaxMeta);

  json::object o{{"title", title},           {"slug", slug},
                 {"meta_description", meta}, {"outline", to_array(f.outline)},
                 {"body_markdown", body},    {"keywords", to_array(f.keywords)},
                 {"provider", "template"}};
  return json::serialize(o);
}

std::string brief(const Facts& f) {
  json::object o{{"angle", f.angle},
                 {"audience", f.audience},
                 {"outline", to_array(f.outline)},
                 {"keywords", to_array(f.keywords)},
                 {"provider", "template"}};
  return json::serialize(o);
}

// ---- image ----

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::string xml_escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
    }
  }
  return out;
}

// Words into lines of at most `width` bytes; at most `max_lines` lines (the last one marked
// with an ellipsis when text was left out).
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  bool truncated = false;
  while (i < text.size()) {
    auto b = text.find_first_not_of(" \t\r\n", i);
    if (b == std::string_view::npos) break;
    auto e = text.find_first_of(" \t\r\n", b);
    std::string word(text.substr(b, e == std::string_view::npos ? e : e - b));
    i = e == std::string_view::npos ? text.size() : e;
    if (word.size() > width) word = utf8_prefix(word, width);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
      if (lines.size() == max_lines) {
        truncated = true;
        break;
      }
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!truncated && !line.empty()) lines.push_back(line);
  if (truncated && !lines.empty()) lines.back() += "...";
  return lines;
}

std::pair<int, int> dimensions(const std::string& size) {
  int w = 1024, h = 1024;
  if (auto x = size.find('x'); x != std::string::npos) {
    try {
      w = std::clamp(std::stoi(size.substr(0, x)), 64, 4096);
      h = std::clamp(std::stoi(size.substr(x + 1)), 64, 4096);
    } catch (const std::exception&) {
      w = h = 1024;
    }
  }
  return {w, h};
}

}  // namespace

TextResult template_text(const TextRequest& request) {
  const Facts f = facts_of(request.inputs);
  TextResult r;
  r.text = request.task == TextTask::kBrief ? brief(f) : article(f);
  r.model = "template";
  r.provider = "template";
  r.finish_reason = "stop";
  return r;
}

ImageResult template_image(const ImageRequest& request) {
  const auto [w, h] = dimensions(request.size);
  const std::string caption = request.title.empty() ? request.prompt : request.title;
  const std::uint32_t hash = fnv1a(caption + '\n' + request.prompt);
  const int hue = static_cast<int>(hash % 360);
  const int font = std::max(16, std::min(w, h) / 16);
  const auto lines = wrap(caption, static_cast<std::size_t>(std::max(8, w * 16 / 10 / font)), 4);

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) +
                    "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " + std::to_string(w) +
                    " " + std::to_string(h) + "\" role=\"img\">\n";
  svg += "<title>" + xml_escaped(caption) + "</title>\n";
  svg += "<desc>Placeholder image made by the template provider (no image model)</desc>\n";
  svg +=
      "<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\">"
      "<stop offset=\"0\" stop-color=\"hsl(" +
      std::to_string(hue) +
      ",55%,42%)\"/>"
      "<stop offset=\"1\" stop-color=\"hsl(" +
      std::to_string((hue + 40) % 360) + ",60%,28%)\"/></linearGradient></defs>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"url(#bg)\"/>\n";
  const int line_height = font * 13 / 10;
  int y = h / 2 - static_cast<int>(lines.size()) * line_height / 2 + font;
  for (const auto& line : lines) {
    svg += "<text x=\"50%\" y=\"" + std::to_string(y) +
           "\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"" +
           std::to_string(font) + "\" font-weight=\"bold\" fill=\"#ffffff\">" + xml_escaped(line) +
           "</text>\n";
    y += line_height;
  }
  svg += "<text x=\"50%\" y=\"" + std::to_string(h - font) +
         "\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"" +
         std::to_string(std::max(12, font / 2)) +
         "\" fill=\"#ffffff\" fill-opacity=\"0.75\">template placeholder</text>\n";
  svg += "</svg>\n";

  ImageResult r;
  r.bytes = std::move(svg);
  r.content_type = "image/svg+xml";
  r.provider = "template";
  r.model = "template";
  return r;
}

boost::asio::awaitable<TextResult> TemplateTextGenerator::generate(TextRequest request) {
  if (latency_.count() > 0) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, latency_);
    co_await t.async_wait(boost::asio::use_awaitable);
  }
  co_return template_text(request);
}

boost::asio::awaitable<ImageResult> TemplateImageGenerator::generate(ImageRequest request) {
  co_return template_image(request);
}

}  // namespace autoblog::content::providers
