#include "content/quality/markdown_text.h"

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
// npos if there is none.
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

// After a link's "]": the end of its "(destination)" or "[reference]", or `after` if neither.
std::size_t skip_link_target(std::string_view s, std::size_t after) {
  if (after < s.size() && (s[after] == '(' || s[after] == '[')) {
    const std::size_t end = find_close(s, after, s[after], s[after] == '(' ? ')' : ']');
    if (end != std::string_view::npos) return end + 1;
  }
  return after;
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

// Decodes the entity at s[i] == '&' into out; returns its length, or 0 if it is none.
std::size_t decode_entity(std::string_view s, std::size_t i, std::string& out) {
  const std::size_t semi = s.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
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

// The end of an autolink or HTML tag starting at s[i] == '<' (index of '>'), and whether its
// inside is an address to keep; npos if '<' is a plain character.
std::pair<std::size_t, bool> angle_span(std::string_view s, std::size_t i) {
  const std::size_t gt = s.find('>', i + 1);
  if (gt == std::string_view::npos || i + 1 >= s.size()) return {std::string_view::npos, false};
  const std::string_view inside = s.substr(i + 1, gt - i - 1);
  const bool no_space = inside.find_first_of(" \t<") == std::string_view::npos;
  const std::size_t colon = inside.find(':');
  if (no_space && colon != std::string_view::npos && colon >= 2 &&
      ((inside[0] >= 'a' && inside[0] <= 'z') || (inside[0] >= 'A' && inside[0] <= 'Z'))) {
    return {gt, true};  // <https://...>
  }
  if (no_space && inside.find('@') != std::string_view::npos) return {gt, true};  // <a@b.c>
  const char c = s[i + 1];
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?') {
    return {gt, false};  // an HTML tag or comment
  }
  return {std::string_view::npos, false};
}

}  // namespace

std::string strip_inline(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 1 < s.size() && is_ascii_punct(s[i + 1])) {
        out += s[i + 1];
        i += 2;
      } else {
        if (i + 1 < s.size()) out += '\\';  // a trailing backslash is a hard line break
        ++i;
      }
    } else if (c == '`') {
      std::size_t k = i;
      while (k < s.size() && s[k] == '`') ++k;
      const std::string_view run = s.substr(i, k - i);
      std::size_t close = s.find(run, k);
      while (close != std::string_view::npos && close + run.size() < s.size() &&
             s[close + run.size()] == '`') {
        close = s.find(run, close + run.size() + 1);
      }
      if (close == std::string_view::npos) {
        out += run;
        i = k;
      } else {
        out += trim(s.substr(k, close - k));
        i = close + run.size();
      }
    } else if (c == '!' && i + 1 < s.size() && s[i + 1] == '[' &&
               find_close(s, i + 1, '[', ']') != std::string_view::npos) {
      i = skip_link_target(s, find_close(s, i + 1, '[', ']') + 1);  // images are not read
    } else if (c == '[' && find_close(s, i, '[', ']') != std::string_view::npos) {
      const std::size_t close = find_close(s, i, '[', ']');
      std::string_view text = s.substr(i + 1, close - i - 1);
      if (!text.empty() && text[0] == '^') text = {};  // a footnote marker carries no words
      out += strip_inline(text);
      i = skip_link_target(s, close + 1);
    } else if (c == '<' && angle_span(s, i).first != std::string_view::npos) {
      const auto [gt, keep] = angle_span(s, i);
      if (keep) out += s.substr(i + 1, gt - i - 1);
      i = gt + 1;
    } else if (c == '&') {
      const std::size_t n = decode_entity(s, i, out);
      if (n == 0) out += c;
      i += n == 0 ? 1 : n;
    } else if (c == '*' || c == '~') {
      ++i;  // emphasis and strikethrough marks
    } else if (c == '_') {
      std::size_t k = i;
      while (k < s.size() && s[k] == '_') ++k;
      // Inside a word (snake_case) underscores are text; at a word's edge they are emphasis.
      const bool inner = i > 0 && k < s.size() && is_ascii_alnum(s[i - 1]) && is_ascii_alnum(s[k]);
      if (inner) out.append(k - i, '_');
      i = k;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
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
