#include "content/markdown.h"

#include <md4c-html.h>

#include <cctype>

namespace autoblog::content {

namespace {

void append(const MD_CHAR* text, MD_SIZE size, void* out) {
  static_cast<std::string*>(out)->append(text, size);
}

// The scheme of `url` in lower case, or "" for a relative reference. HTML parsers drop ASCII
// tab and newline inside URLs and trim leading spaces and controls, so they are skipped here
// too ("java\tscript:" is javascript: to a browser).
std::string scheme_of(std::string_view url) {
  std::string s;
  std::size_t i = 0;
  while (i < url.size() && static_cast<unsigned char>(url[i]) <= 0x20) ++i;
  for (; i < url.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(url[i]);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c == ':') return s;
    if (c == '/' || c == '?' || c == '#') return "";
    s.push_back(static_cast<char>(std::tolower(c)));
  }
  return "";
}

// md4c writes every destination as  href="..."  or  src="..."  (attribute-escaped); text
// cannot contain that sequence unescaped, so each match is an attribute md4c wrote.
void neutralise_urls(std::string& html, std::string_view attr) {
  for (std::size_t pos = html.find(attr); pos != std::string::npos; pos = html.find(attr, pos)) {
    std::size_t start = pos + attr.size();
    std::size_t end = html.find('"', start);
    if (end == std::string::npos) break;
    std::string_view url(html.data() + start, end - start);
    // Entities in the written value (&amp; ...) cannot form a scheme's letters or its colon
    // except as &#...; references, which md4c writes only for characters it escapes: & < > ".
    if (!is_safe_url(url) || url.find("&#") != std::string_view::npos) {
      html.replace(start, end - start, "#");
      end = start + 1;
    }
    pos = end;
  }
}

}  // namespace

bool is_safe_url(std::string_view url) {
  auto scheme = scheme_of(url);
  return scheme.empty() || scheme == "http" || scheme == "https" || scheme == "mailto";
}

std::string markdown_to_html(std::string_view markdown) {
  std::string html;
  html.reserve(markdown.size() + markdown.size() / 4 + 64);
  unsigned parser_flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
  if (md_html(markdown.data(), static_cast<MD_SIZE>(markdown.size()), append, &html, parser_flags,
              MD_HTML_FLAG_SKIP_UTF8_BOM) != 0)
    return {};  // md4c fails only when out of memory
  neutralise_urls(html, " href=\"");
  neutralise_urls(html, " src=\"");
  return html;
}

}  // namespace autoblog::content
