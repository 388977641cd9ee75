// The Markdown reader of the quality scorer (content/quality/markdown_text.h): what text is
// counted and how it is cut into headings and paragraphs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "content/quality/markdown_text.h"

namespace autoblog::content::quality {
namespace {

using Kind = TextBlock::Kind;

std::vector<std::pair<Kind, std::string>> blocks(const std::string& md) {
  std::vector<std::pair<Kind, std::string>> out;
  for (TextBlock& b : markdown_blocks(md)) out.emplace_back(b.kind, std::move(b.text));
  return out;
}

TEST(QualityMarkdown, InlineSyntaxIsRemoved) {
  EXPECT_EQ(strip_inline("Some **bold**, *italic*, __strong__ and ~~gone~~ text"),
            "Some bold, italic, strong and gone text");
  EXPECT_EQ(strip_inline("Read [the guide](https://x.example/a_(b) \"t\") or [this][ref]."),
            "Read the guide or this.");
  EXPECT_EQ(strip_inline("A ![photo of a cup](cup.png) cup"), "A  cup");
  EXPECT_EQ(strip_inline("Run `npm ci` or ``a ` b``"), "Run npm ci or a ` b");
  EXPECT_EQ(strip_inline("See <https://x.example> or <b>bold</b><!-- note -->"),
            "See https://x.example or bold");
  EXPECT_EQ(strip_inline("Tom &amp; Jerry&nbsp;&#8212;&#x41; &bogus; 5 < 6"),
            "Tom & Jerry\xC2\xA0\xE2\x80\x94"
            "A &bogus; 5 < 6");
  EXPECT_EQ(strip_inline("snake_case stays, \\*stars\\* escaped"),
            "snake_case stays, *stars* escaped");
  EXPECT_EQ(strip_inline("unclosed [bracket and `tick"), "unclosed [bracket and `tick");
}

TEST(QualityMarkdown, BlocksHeadingsListsAndCode) {
  const std::string md =
      "Intro line one\nline two\n\n"
      "# Title #\n"
      "Setext heading\n==============\n"
      "- first item\n- [x] second item\n1. numbered\n\n"
      "```cpp\nint x = 1;  // not prose\n```\n"
      "> quoted text\n\n"
      "---\n"
      "| a | b |\n|---|:-:|\n| c | d |\n\n"
      "[ref]: https://x.example\n"
      "Under a rule\n---\n";
  const auto b = blocks(md);
  ASSERT_EQ(b.size(), 9u);
  EXPECT_EQ(b[0], std::make_pair(Kind::kParagraph, std::string("Intro line one\nline two")));
  EXPECT_EQ(b[1], std::make_pair(Kind::kHeading, std::string("Title")));
  EXPECT_EQ(b[2], std::make_pair(Kind::kHeading, std::string("Setext heading")));
  EXPECT_EQ(b[3], std::make_pair(Kind::kParagraph, std::string("first item")));
  EXPECT_EQ(b[4], std::make_pair(Kind::kParagraph, std::string("second item")));
  EXPECT_EQ(b[5], std::make_pair(Kind::kParagraph, std::string("numbered")));
  EXPECT_EQ(b[6], std::make_pair(Kind::kParagraph, std::string("quoted text")));
  EXPECT_EQ(b[7], std::make_pair(Kind::kParagraph, std::string("  a   b  \n  c   d  ")));
  EXPECT_EQ(b[8], std::make_pair(Kind::kHeading, std::string("Under a rule")));
}

TEST(QualityMarkdown, EdgeCases) {
  EXPECT_TRUE(markdown_blocks("").empty());
  EXPECT_TRUE(markdown_blocks("\n\n   \n").empty());
  EXPECT_TRUE(markdown_blocks("```\nonly code\n").empty());  // an unclosed fence runs to the end
  EXPECT_EQ(blocks("#hashtag is text"),
            (std::vector<std::pair<Kind, std::string>>{{Kind::kParagraph, "#hashtag is text"}}));
  EXPECT_EQ(
      blocks("####### seven is text"),
      (std::vector<std::pair<Kind, std::string>>{{Kind::kParagraph, "####### seven is text"}}));
  EXPECT_EQ(blocks("Windows line\r\nends\r\n"),
            (std::vector<std::pair<Kind, std::string>>{{Kind::kParagraph, "Windows line\nends"}}));
  // A "---" under a list item is a thematic break, not a heading underline.
  EXPECT_EQ(blocks("- item\n---\n"),
            (std::vector<std::pair<Kind, std::string>>{{Kind::kParagraph, "item"}}));
}

}  // namespace
}  // namespace autoblog::content::quality

namespace autoblog::content::quality {
namespace {

TEST(QualityMarkdown, NestedLinksAndImagesInLinks) {
  EXPECT_EQ(strip_inline("[![logo](l.png) Brand [home]](https://x.example)"), " Brand home");
  EXPECT_EQ(strip_inline("[a `]` b](u) c"), "a ] b](u) c");  // the code span wins
  EXPECT_EQ(strip_inline("note[^1] here"), "note here");
}

// Pathological input must take linear time: each of these is 200 000 bytes in one line, which
// a scan per character would turn into about 10^10 steps (the ctest timeout would catch it).
TEST(QualityMarkdown, PathologicalLinesAreLinear) {
  for (const std::string unit : {"[", "]", "(", "`", "` ", "``a", "<", "&", "![", "_", "\\", "*"}) {
    std::string line;
    while (line.size() < 200000) line += unit;
    const auto b = markdown_blocks(line);
    EXPECT_LE(b.size(), 1u) << unit;
  }
  std::string nested(200000, '[');
  nested += std::string(200000, ']');
  EXPECT_EQ(strip_inline(nested), "");
}

}  // namespace
}  // namespace autoblog::content::quality
