#pragma once
// The content engine's prompt templates: plain text files with {{name}} placeholders
// (prompts/*.txt in the repository, compiled into the binary). An operator may point
// AUTOBLOG_PROMPTS_DIR at a directory of their own: each file found there replaces the default of
// the same name, the others stay. Everything is checked at start-up (load), so a typo in a
// template stops the process with a clear message instead of failing generations later.
//
// Why a hand-written renderer and not a template library: the only feature needed is "replace
// {{name}} with a value", with the set of names checked up front; no Debian-packaged C++
// template engine is smaller than these few lines, and conditionals or loops in a prompt file
// would make an operator's template a program.
//
// Immutable after load: thread-safe to share between every worker coroutine.
#include <map>
#include <string>
#include <string_view>

namespace autoblog::content::engine {

// The templates and the placeholders each may use.
enum class Prompt { kBriefSystem, kBriefUser, kArticleSystem, kArticleUser, kRepair, kImage };

class PromptTemplates {
 public:
  // The compiled-in defaults, overridden by `dir`'s files when dir is not empty. Throws
  // std::invalid_argument naming the file: unreadable, too large (64 KiB), not UTF-8 text, an
  // unclosed "{{", or a placeholder that template may not use.
  static PromptTemplates load(const std::string& dir = {});

  // The template with every placeholder replaced by vars[name] ("" when absent). Values are
  // inserted as they are: a value containing "{{x}}" is not expanded again.
  std::string render(Prompt which, const std::map<std::string, std::string>& vars) const;

  // The placeholders `which` may use, e.g. "brand_name voice topics".
  static std::string_view allowed_names(Prompt which);
  static std::string_view file_name(Prompt which);

 private:
  std::map<Prompt, std::string> text_;
};

// prompts/*.txt by file name (generated at build time).
const std::map<std::string, std::string>& default_prompt_files();

}  // namespace autoblog::content::engine
