#pragma once
// The readable text of a Markdown article, block by block, for counting only.
//
// A light hand parser rather than cmark-gfm or md4c, because only counts are needed: which
// words a reader sees, where paragraphs and sections start, what is a heading. It never renders
// and never has to be right about nesting, link destinations or HTML, and on anything it does
// not recognise it errs towards keeping the text (an extra word or two, never a lost sentence).
// What it does, line by line:
//   - fenced code blocks (``` or ~~~) are dropped: code is not prose;
//   - ATX (# ...) and setext (=== / --- underlines) headings become heading blocks;
//   - blank lines end a paragraph; each list item (-, *, +, 1., 1)) starts one, its marker and
//     any task box ([ ], [x]) removed; blockquote markers (>) are removed;
//   - table rows lose their pipes and delimiter rows are dropped;
//   - thematic breaks and link reference definitions are dropped;
//   - inline: images are dropped; links and reference links keep their text; autolinks keep
//     the address; code spans keep their content; emphasis marks (*, _, ~) and HTML tags are
//     removed; backslash escapes and common HTML entities are decoded.
// Indented code blocks are read as text (telling them from list continuations needs a real
// parser, and generated articles fence their code).
// Thread-safety: pure function. The result owns its strings.
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::content::quality {

struct TextBlock {
  enum class Kind { kHeading, kParagraph };
  Kind kind;
  std::string text;  // UTF-8, Markdown syntax removed, lines joined with '\n'
};

std::vector<TextBlock> markdown_blocks(std::string_view markdown);

// The inline rules alone, for one line (exposed for tests).
std::string strip_inline(std::string_view line);

// Decodes the HTML character reference at s[i] == '&' (numeric, or one of the common named ones)
// into `out` as UTF-8; returns its length in `s`, or 0 when there is none (then nothing is
// appended). Shared with the feed reader, whose summaries are HTML.
std::size_t decode_entity(std::string_view s, std::size_t i, std::string& out);

}  // namespace autoblog::content::quality
