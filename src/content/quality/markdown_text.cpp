#include "content/quality/markdown_text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "content/quality/unicode_class.h"

namespace autoblog::content::quality {
namespace {

bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_punct(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F && !is_ascii_alnum(c);
}
bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t") == std::string_view::npos;
}
std::string_view trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// The index of the `close` that balances the `open` at s[i], skipping backslash escapes;
// npos if there is none. Linear in the rest of `s`: use it once per line, not per character.
std::size_t find_close(std::string_view s, std::size_t i, char open, char close) {
  int depth = 0;
  for (std::size_t k = i; k < s.size(); ++k) {
    if (s[k] == '\\') {
      ++k;
    } else if (s[k] == open) {
      ++depth;
    } else if (s[k] == close && --depth == 0) {
      return k;
    }
  }
  return std::string_view::npos;
}

struct Entity {
  std::string_view name;
  char32_t cp;
};
constexpr Entity kEntities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
    {"nbsp", 0xA0},    {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"rsquo", 0x2019},
    {"lsquo", 0x2018}, {"rdquo", 0x201D}, {"ldquo", 0x201C}, {"copy", 0xA9},     {"reg", 0xAE},
    {"trade", 0x2122}, {"shy", 0xAD},
};

}  // namespace

std::size_t decode_entity(std::string_view s, std::size_t i, std::string& out) {
  const std::size_t semi = s.substr(0, std::min(s.size(), i + 12)).find(';', i);
  if (semi == std::string_view::npos) return 0;
  const std::string_view body = s.substr(i + 1, semi - i - 1);
  if (body.size() >= 2 && body[0] == '#') {
    const bool hex = body[1] == 'x' || body[1] == 'X';
    const std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    std::uint32_t v = 0;
    for (char c : digits) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0 || v > 0x10FFFF) return 0;
      v = v * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    }
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    append_utf8(out, v);
    return semi - i + 1;
  }
  for (const Entity& e : kEntities) {
    if (e.name == body) {
      append_utf8(out, e.cp);
      return semi - i + 1;
    }
  }
  return 0;
}

namespace {

// Whether the text from s[i] == '<' to s[gt] == '>' (the next '>') is an autolink or HTML tag,
// and whether its inside is an address to keep.
std::pair<bool, bool> angle_span(std::string_view s, std::size_t i, std::size_t gt) {
  if (gt == std::string_view::npos) return {false, false};
  const std::string_view inside = s.substr(i + 1, gt - i - 1);
  const bool no_space = inside.find_first_of(" \t<") == std::string_view::npos;
  const std::size_t colon = inside.find(':');
  if (no_space && colon != std::string_view::npos && colon >= 2 &&
      ((inside[0] >= 'a' && inside[0] <= 'z') || (inside[0] >= 'A' && inside[0] <= 'Z'))) {
    return {true, true};  // <https://...>
  }
  if (no_space && inside.find('@') != std::string_view::npos) return {true, true};  // <a@b.c>
  const char c = s[i + 1];
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?') {
    return {true, false};  // an HTML tag or comment
  }
  return {false, false};
}

}  // namespace

namespace {

// strip_inline in time linear in the line, whatever it holds (a body of a million '[' or '`'
// must not take quadratic time): brackets are matched once by a stack pass, and every forward
// search remembers where it ended.
class InlineStripper {
 public:
  explicit InlineStripper(std::string_view s) : s_(s), close_(s.size(), kNone) {
    std::vector<std::size_t> squares;
    std::vector<std::size_t> parens;
    for (std::size_t k = 0; k < s.size(); ++k) {
      const char c = s[k];
      if (c == '\\') {
        ++k;
      } else if (c == '[') {
        squares.push_back(k);
      } else if (c == '(') {
        parens.push_back(k);
      } else if (c == ']' && !squares.empty()) {
        close_[squares.back()] = k;
        squares.pop_back();
      } else if (c == ')' && !parens.empty()) {
        close_[parens.back()] = k;
        parens.pop_back();
      }
    }
  }

  std::string run() {
    std::string out;
    out.reserve(s_.size());
    std::vector<std::size_t> link_ends;  // the "]" of each open link, innermost last
    for (std::size_t i = 0; i < s_.size();) {
      const char c = s_[i];
      // A link whose "]" was jumped over (inside a code span or a tag) is closed here.
      while (!link_ends.empty() && link_ends.back() < i) link_ends.pop_back();
      if (!link_ends.empty() && i == link_ends.back()) {
        link_ends.pop_back();
        i = after_link_target(i + 1);  // a link keeps its text, not its destination
      } else if (c == '\\') {
        if (i + 1 < s_.size() && is_ascii_punct(s_[i + 1])) {
          out += s_[i + 1];
          i += 2;
        } else {
          if (i + 1 < s_.size()) out += '\\';  // a trailing backslash is a hard line break
          ++i;
        }
      } else if (c == '`') {
        i = code_span(i, out);
      } else if (c == '!' && i + 1 < s_.size() && s_[i + 1] == '[' && close_[i + 1] != kNone) {
        i = after_link_target(close_[i + 1] + 1);  // images are not read
      } else if (c == '[' && close_[i] != kNone) {
        // A footnote marker carries no words; any other bracket pair is read as a link's text.
        if (i + 1 < s_.size() && s_[i + 1] == '^') {
          i = close_[i] + 1;
        } else {
          link_ends.push_back(close_[i]);
          ++i;
        }
      } else if (c == '<') {
        if (next_gt_ == kNone || next_gt_ <= i) next_gt_ = s_.find('>', i + 1);
        const auto [span, keep] = angle_span(s_, i, next_gt_);
        if (span) {
          if (keep) out += s_.substr(i + 1, next_gt_ - i - 1);
          i = next_gt_ + 1;
        } else {
          out += c;
          ++i;
        }
      } else if (c == '&') {
        const std::size_t n = decode_entity(s_, i, out);
        if (n == 0) out += c;
        i += n == 0 ? 1 : n;
      } else if (c == '*' || c == '~') {
        ++i;  // emphasis and strikethrough marks
      } else if (c == '_') {
        std::size_t k = i;
        while (k < s_.size() && s_[k] == '_') ++k;
        // Inside a word (snake_case) underscores are text; at a word's edge they are emphasis.
        if (i > 0 && k < s_.size() && is_ascii_alnum(s_[i - 1]) && is_ascii_alnum(s_[k])) {
          out.append(k - i, '_');
        }
        i = k;
      } else {
        out += c;
        ++i;
      }
    }
    return out;
  }

 private:
  static constexpr std::size_t kNone = std::string_view::npos;
  static constexpr std::size_t kMaxTicks = 32;

  // After a link's "]": the end of its "(destination)" or "[reference]", or `after` if neither.
  std::size_t after_link_target(std::size_t after) const {
    if (after < s_.size() && (s_[after] == '(' || s_[after] == '[') && close_[after] != kNone) {
      return close_[after] + 1;
    }
    return after;
  }

  // A code span opened by the backtick run at s_[i]: its content kept, the ticks dropped. A run
  // with no closing run of the same length is literal text.
  std::size_t code_span(std::size_t i, std::string& out) {
    std::size_t k = i;
    while (k < s_.size() && s_[k] == '`') ++k;
    const std::size_t len = k - i;
    const std::string_view run = s_.substr(i, len);
    std::size_t close = kNone;
    if (len <= kMaxTicks && !no_close_[len]) {
      close = s_.find(run, k);
      while (close != kNone && ((close + len < s_.size() && s_[close + len] == '`') ||
                                (close > 0 && s_[close - 1] == '`'))) {
        close = s_.find(run, close + 1);
      }
      // Nothing closes a run of this length from here on, so nothing will from further on.
      if (close == kNone) no_close_[len] = true;
    }
    if (close == kNone) {
      out += run;
      return k;
    }
    out += trim(s_.substr(k, close - k));
    return close + len;
  }

  std::string_view s_;
  std::vector<std::size_t> close_;  // for '[' and '(': the index of its partner, else kNone
  std::size_t next_gt_ = kNone;
  std::array<bool, kMaxTicks + 1> no_close_{};
};

}  // namespace

std::string strip_inline(std::string_view s) {
  return InlineStripper(s).run();
}

namespace {

// What one line of Markdown is, once its indentation and blockquote markers are removed.
class BlockBuilder {
 public:
  std::vector<TextBlock> finish() {
    flush();
    return std::move(blocks_);
  }

  void line(std::string_view raw) {
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::size_t indent = 0;
    while (indent < raw.size() && (raw[indent] == ' ' || raw[indent] == '\t')) ++indent;
    std::string_view rest = raw.substr(indent);
    if (fence_char_ != 0) {
      if (indent <= 3 && fence_run(rest, fence_char_) >= fence_len_ &&
          is_blank(rest.substr(fence_run(rest, fence_char_)))) {
        fence_char_ = 0;
      }
      return;
    }
    for (char f : {'`', '~'}) {
      if (indent <= 3 && fence_run(rest, f) >= 3) {
        flush();
        fence_char_ = f;
        fence_len_ = fence_run(rest, f);
        return;
      }
    }
    while (!rest.empty() && rest[0] == '>') rest = trim(rest.substr(1));
    if (is_blank(rest)) return flush();
    if (indent <= 3 && atx_heading(rest)) return;
    if (indent <= 3 && setext_or_break(rest)) return;
    if (indent <= 3 && rest[0] == '[' && rest.find("]:") != std::string_view::npos &&
        rest.find("]:") == find_close(rest, 0, '[', ']')) {
      return;  // a link reference definition
    }
    if (table_delimiter(rest)) return;
    if (const std::size_t m = list_marker(rest); m != 0) {
      flush();
      para_is_list_ = true;
      std::string_view item = rest.substr(m);
      for (std::string_view box : {"[ ] ", "[x] ", "[X] "}) {
        if (item.substr(0, box.size()) == box) item = item.substr(box.size());  // a task box
      }
      return append(item);
    }
    append(rest);
  }

 private:
  static std::size_t fence_run(std::string_view s, char f) {
    std::size_t k = 0;
    while (k < s.size() && s[k] == f) ++k;
    return k;
  }

  bool atx_heading(std::string_view rest) {
    const std::size_t hashes = fence_run(rest, '#');
    if (hashes == 0 || hashes > 6 ||
        (hashes < rest.size() && rest[hashes] != ' ' && rest[hashes] != '\t')) {
      return false;
    }
    std::string_view text = trim(rest.substr(hashes));
    // An optional closing sequence of '#'s after a space.
    std::size_t end = text.size();
    while (end > 0 && text[end - 1] == '#') --end;
    if (end == 0 || text[end - 1] == ' ' || text[end - 1] == '\t') text = trim(text.substr(0, end));
    flush();
    blocks_.push_back({TextBlock::Kind::kHeading, strip_inline(text)});
    return true;
  }

  bool setext_or_break(std::string_view rest) {
    const std::string_view t = trim(rest);
    const char c = t[0];
    if (c != '=' && c != '-' && c != '*' && c != '_') return false;
    std::size_t marks = 0;
    bool spaced = false;
    for (char x : t) {
      if (x == c) {
        ++marks;
      } else if (x == ' ' || x == '\t') {
        spaced = true;
      } else {
        return false;
      }
    }
    const bool underline = (c == '=' || c == '-') && !spaced;
    if (underline && !para_.empty() && !para_is_list_) {
      blocks_.push_back({TextBlock::Kind::kHeading, std::move(para_)});
      para_.clear();
      return true;
    }
    if (c != '=' && marks >= 3) {
      flush();  // a thematic break
      return true;
    }
    return false;
  }

  static bool table_delimiter(std::string_view rest) {
    return rest.find('|') != std::string_view::npos && rest.find('-') != std::string_view::npos &&
           rest.find_first_not_of("|:- \t") == std::string_view::npos;
  }

  // The length of a list item's marker and the spaces after it, or 0.
  static std::size_t list_marker(std::string_view rest) {
    std::size_t k = 0;
    if (rest[0] == '-' || rest[0] == '*' || rest[0] == '+') {
      k = 1;
    } else {
      while (k < rest.size() && k < 9 && rest[k] >= '0' && rest[k] <= '9') ++k;
      if (k == 0 || k >= rest.size() || (rest[k] != '.' && rest[k] != ')')) return 0;
      ++k;
    }
    if (k < rest.size() && rest[k] != ' ' && rest[k] != '\t') return 0;
    while (k < rest.size() && (rest[k] == ' ' || rest[k] == '\t')) ++k;
    return k;
  }

  void append(std::string_view text) {
    std::string line = strip_inline(text);
    if (text.find('|') != std::string_view::npos) {
      for (char& ch : line) {
        if (ch == '|') ch = ' ';  // table cells
      }
    }
    if (!para_.empty()) para_ += '\n';
    para_ += line;
  }

  void flush() {
    if (!is_blank(para_)) blocks_.push_back({TextBlock::Kind::kParagraph, std::move(para_)});
    para_.clear();
    para_is_list_ = false;
  }

  std::vector<TextBlock> blocks_;
  std::string para_;
  bool para_is_list_ = false;
  char fence_char_ = 0;
  std::size_t fence_len_ = 0;
};

}  // namespace

std::vector<TextBlock> markdown_blocks(std::string_view markdown) {
  BlockBuilder b;
  std::size_t start = 0;
  while (start <= markdown.size()) {
    std::size_t nl = markdown.find('\n', start);
    if (nl == std::string_view::npos) nl = markdown.size();
    b.line(markdown.substr(start, nl - start));
    start = nl + 1;
  }
  return b.finish();
}

}  // namespace autoblog::content::quality
