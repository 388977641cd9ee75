#include "content/status.h"

#include <array>
#include <utility>

namespace autoblog::content {

namespace {
constexpr std::array<std::string_view, 9> kStatuses = {
    "inspiration", "briefed", "generating", "generated", "approved",
    "scheduled",   "published", "failed",   "archived"};

constexpr std::pair<std::string_view, std::string_view> kTransitions[] = {
    {"inspiration", "briefed"}, {"inspiration", "archived"},
    {"briefed", "generating"},  {"briefed", "inspiration"}, {"briefed", "archived"},
    {"generating", "generated"}, {"generating", "failed"},
    {"generated", "approved"},  {"generated", "briefed"},  {"generated", "archived"},
    {"approved", "scheduled"},  {"approved", "published"}, {"approved", "generated"},
    {"approved", "archived"},
    {"scheduled", "published"}, {"scheduled", "approved"}, {"scheduled", "archived"},
    {"published", "archived"},
    {"failed", "briefed"},      {"failed", "archived"},
};
}  // namespace

bool is_known_status(std::string_view status) {
  for (auto s : kStatuses)
    if (s == status) return true;
  return false;
}

bool is_legal_transition(std::string_view from, std::string_view to) {
  for (auto [f, t] : kTransitions)
    if (f == from && t == to) return true;
  return false;
}

bool is_patchable_transition(std::string_view from, std::string_view to) {
  if (to == "generating" || to == "scheduled" || to == "published") return false;
  return is_legal_transition(from, to);
}

}  // namespace autoblog::content
