#include "content/providers/slug.h"

namespace autoblog::content::providers {

std::string slugify(std::string_view text, std::size_t max_length) {
  std::string out;
  bool gap = false;
  for (char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && !out.empty()) out.push_back('-');
      out.push_back(static_cast<char>(c));
      gap = false;
    } else if (c >= 'A' && c <= 'Z') {
      if (gap && !out.empty()) out.push_back('-');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
      gap = false;
    } else if (c == '\'' || c >= 0x80) {
      // Apostrophes join ("what's" -> "whats"); non-ASCII bytes are dropped without a gap.
    } else {
      gap = true;
    }
  }
  if (out.size() > max_length) {
    out.resize(max_length);
    if (auto cut = out.rfind('-'); cut != std::string::npos && cut >= max_length / 2)
      out.resize(cut);
    while (!out.empty() && out.back() == '-') out.pop_back();
  }
  return out;
}

}  // namespace autoblog::content::providers
