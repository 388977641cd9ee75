#include "content/engine/prompt_templates.h"

#include <stdexcept>
#include <system_error>
#include <filesystem>

#include "util/file.h"
#include "util/utf8.h"

namespace autoblog::content::engine {

namespace {

struct Spec {
  Prompt prompt;
  std::string_view file;
  std::string_view names;  // space-separated, with spaces around for whole-word lookup
};

constexpr Spec kSpecs[] = {
    {Prompt::kBriefSystem, "brief_system.txt", " brand_name voice topics keywords "},
    {Prompt::kBriefUser, "brief_user.txt",
     " brand_name voice topics keywords topic inspiration visual_style "},
    {Prompt::kArticleSystem, "article_system.txt", " brand_name voice topics keywords "},
    {Prompt::kArticleUser, "article_user.txt",
     " brand_name voice topics keywords topic inspiration angle audience outline visual_style "},
    {Prompt::kRepair, "repair.txt", " problem "},
    {Prompt::kImage, "image.txt", " brand_name topic title visual_style "},
};

constexpr std::size_t kMaxTemplateBytes = 64 * 1024;

const Spec& spec(Prompt p) {
  for (auto& s : kSpecs)
    if (s.prompt == p) return s;
  throw std::logic_error("unknown prompt");
}

// Calls on_text for literal runs and on_name for each {{name}}; throws on an unclosed "{{".
template <class Text, class Name>
void scan(std::string_view t, Text on_text, Name on_name) {
  std::size_t pos = 0;
  while (pos < t.size()) {
    auto open = t.find("{{", pos);
    if (open == std::string_view::npos) break;
    auto close = t.find("}}", open + 2);
    if (close == std::string_view::npos)
      throw std::invalid_argument("a \"{{\" is never closed by \"}}\"");
    on_text(t.substr(pos, open - pos));
    auto name = t.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    on_name(name);
    pos = close + 2;
  }
  on_text(t.substr(pos));
}

void check(const Spec& s, const std::string& text, const std::string& origin) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("prompt template " + origin + ": " + why);
  };
  if (text.size() > kMaxTemplateBytes) fail("larger than 64 KiB");
  if (!util::is_valid_utf8(text)) fail("not UTF-8 text");
  try {
    scan(
        text, [](std::string_view) {},
        [&](std::string_view name) {
          std::string word = " " + std::string(name) + " ";
          if (name.empty() || s.names.find(word) == std::string_view::npos)
            fail("unknown placeholder {{" + std::string(name) + "}}; this template may use " +
                 std::string(PromptTemplates::allowed_names(s.prompt)));
        });
  } catch (const std::invalid_argument& e) {
    if (std::string_view(e.what()).starts_with("prompt template")) throw;
    fail(e.what());
  }
}

std::string read_file(const std::filesystem::path& path) {
  auto text = util::read_small_file(path);
  if (!text) throw std::invalid_argument("prompt template " + path.string() + ": cannot be read");
  return std::move(*text);
}

}  // namespace

PromptTemplates PromptTemplates::load(const std::string& dir) {
  PromptTemplates t;
  const auto& defaults = default_prompt_files();
  if (!dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
      throw std::invalid_argument("AUTOBLOG_PROMPTS_DIR " + dir + " is not a directory");
  }
  for (auto& s : kSpecs) {
    std::string text, origin;
    std::filesystem::path own = dir.empty() ? std::filesystem::path() : std::filesystem::path(dir) / s.file;
    std::error_code ec;
    if (!dir.empty() && std::filesystem::exists(own, ec)) {
      text = read_file(own);
      origin = own.string();
    } else {
      auto it = defaults.find(std::string(s.file));
      if (it == defaults.end()) throw std::logic_error("missing built-in prompt " + std::string(s.file));
      text = it->second;
      origin = "prompts/" + std::string(s.file) + " (built in)";
    }
    check(s, text, origin);
    t.text_[s.prompt] = std::move(text);
  }
  return t;
}

std::string PromptTemplates::render(Prompt which,
                                    const std::map<std::string, std::string>& vars) const {
  std::string out;
  scan(
      text_.at(which), [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        if (auto it = vars.find(std::string(name)); it != vars.end()) out += it->second;
      });
  return out;
}

std::string_view PromptTemplates::allowed_names(Prompt which) {
  auto n = spec(which).names;
  n.remove_prefix(1);
  n.remove_suffix(1);
  return n;
}

std::string_view PromptTemplates::file_name(Prompt which) { return spec(which).file; }

}  // namespace autoblog::content::engine
