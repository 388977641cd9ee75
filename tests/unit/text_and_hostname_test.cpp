// Unit tests for util/text (display-name rules, terminal escaping) and util/hostname (RFC 1123
// hostnames in canonical form): what tenant names and domains may be, and how untrusted text
// reaches an operator's terminal.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hosted/host.h"
#include "util/hostname.h"
#include "util/text.h"

namespace autoblog::util {
namespace {

using namespace std::string_literals;

std::string Problem(std::string_view text) {
  return display_text_problem(text, "name").value_or("");
}

TEST(DisplayText, AcceptsOrdinaryNames) {
  for (const std::string name :
       {"Acme Blog", "a", "Ünïcode Café", "日本語のブログ", "emoji \xF0\x9F\x98\x80 blog", "a  b",
        "O'Brien & Sons (EU)", "family \xE2\x80\x8D join"}) {  // U+200D ZWJ inside
    EXPECT_EQ(Problem(name), "") << name;
  }
}

TEST(DisplayText, RejectsControlCharacters) {
  for (int c = 0; c < 0x20; ++c) {
    EXPECT_EQ(Problem("a"s + static_cast<char>(c) + "b"), "name contains a control character") << c;
  }
  EXPECT_EQ(Problem("a\x7F"
                    "b"),
            "name contains a control character");
  EXPECT_EQ(Problem("\x1B[31mred"), "name contains a control character");
  // C1: U+0080..U+009F, e.g. U+009B (CSI) and U+0085 (NEL)
  EXPECT_EQ(Problem("a\xC2\x9B"
                    "31m"),
            "name contains a control character");
  EXPECT_EQ(Problem("a\xC2\x85"
                    "b"),
            "name contains a control character");
  EXPECT_EQ(Problem("a\xC2\x80"), "name contains a control character");
  EXPECT_EQ(Problem("a\xC2\x9F"), "name contains a control character");
  EXPECT_EQ(Problem("a\xC2\xA0"
                    "b"),
            "");  // U+00A0 inside a name is just a space
}

TEST(DisplayText, RejectsBidiControls) {
  // U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C, U+2028, U+2029
  for (const std::string cp :
       {"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
        "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9", "\xE2\x80\x8E",
        "\xE2\x80\x8F", "\xD8\x9C", "\xE2\x80\xA8", "\xE2\x80\xA9"}) {
    EXPECT_EQ(Problem("inv" + cp + "oice"),
              "name contains a bidirectional-text or line-separator control character")
        << testing::PrintToString(cp);
  }
  EXPECT_EQ(Problem("a\xE2\x80\xA9"),
            "name contains a bidirectional-text or line-separator control character");
  EXPECT_EQ(Problem("\xE2\x81\xA5"), "");  // U+2065 (unassigned, next to the isolates)
}

TEST(DisplayText, RejectsInvalidUtf8) {
  for (const std::string bad : {"\x80", "a\xC3", "\xC3\x28", "\xC0\xAF", "\xED\xA0\x80",
                                "\xF4\x90\x80\x80", "\xFF", "ok\xFE"}) {
    EXPECT_EQ(Problem(bad), "name is not valid UTF-8") << testing::PrintToString(bad);
  }
}

TEST(DisplayText, RejectsBlankAndPaddedNames) {
  for (const std::string blank : {" ", "   ", "\xC2\xA0", "\xE3\x80\x80", " \xE2\x80\x8B "}) {
    EXPECT_EQ(Problem(blank), "name must not be blank") << testing::PrintToString(blank);
  }
  EXPECT_EQ(Problem(" Acme"), "name must not start with whitespace");
  EXPECT_EQ(Problem("\xC2\xA0"
                    "Acme"),
            "name must not start with whitespace");
  EXPECT_EQ(Problem("Acme "), "name must not end with whitespace");
  EXPECT_EQ(Problem("Acme\xE3\x80\x80"), "name must not end with whitespace");
  EXPECT_EQ(Problem("Acme\xEF\xBB\xBF"), "name must not end with whitespace");  // BOM
  // Tabs and newlines are control characters before they are whitespace.
  EXPECT_EQ(Problem("\tAcme"), "name contains a control character");
}

TEST(TerminalSafe, EscapesWhatATerminalWouldInterpret) {
  EXPECT_EQ(terminal_safe("Acme Blog"), "Acme Blog");
  EXPECT_EQ(terminal_safe("Café 日本 \xF0\x9F\x98\x80"), "Café 日本 \xF0\x9F\x98\x80");
  EXPECT_EQ(terminal_safe("\x1B]0;owned\x07"), "\\u{1B}]0;owned\\u{7}");
  EXPECT_EQ(terminal_safe("a\nb\rc\0d"s), "a\\u{A}b\\u{D}c\\u{0}d");
  EXPECT_EQ(terminal_safe("del\x7F"), "del\\u{7F}");
  EXPECT_EQ(terminal_safe("csi\xC2\x9B"), "csi\\u{9B}");
  EXPECT_EQ(terminal_safe("inv\xE2\x80\xAEtxt.exe"), "inv\\u{202E}txt.exe");
  EXPECT_EQ(terminal_safe("\xE2\x81\xA6x\xE2\x81\xA9"), "\\u{2066}x\\u{2069}");
  EXPECT_EQ(terminal_safe("bad\xFF\xC3"), "bad\\x{FF}\\x{C3}");
  // A literal backslash is doubled, so "\u{1B}" in the output always means an escaped ESC.
  EXPECT_EQ(terminal_safe("\\u{1B}"), "\\\\u{1B}");
}

TEST(TerminalSafe, JsonKeepsItsValueAndLosesItsControls) {
  EXPECT_EQ(terminal_safe_json(R"({"name":"Acme"})"), R"({"name":"Acme"})");
  EXPECT_EQ(terminal_safe_json("{\"name\":\"a\x7F\xC2\x9B\xE2\x80\xAE\xE2\x81\xA6z\"}"),
            R"({"name":"a\u007F\u009B\u202E\u2066z"})");
  EXPECT_EQ(terminal_safe_json("[\"Café \xF0\x9F\x98\x80\"]"), "[\"Café \xF0\x9F\x98\x80\"]");
}

TEST(Hostname, CanonicalForm) {
  EXPECT_EQ(canonical_hostname("acme.example", nullptr), "acme.example");
  EXPECT_EQ(canonical_hostname("Acme.EXAMPLE", nullptr), "acme.example");
  EXPECT_EQ(canonical_hostname("acme.example.", nullptr), "acme.example");  // one root dot
  EXPECT_EQ(canonical_hostname("blog.acme-corp.co.uk", nullptr), "blog.acme-corp.co.uk");
  EXPECT_EQ(canonical_hostname("xn--bcher-kva.example", nullptr), "xn--bcher-kva.example");
  EXPECT_EQ(canonical_hostname("3com.example", nullptr), "3com.example");
  EXPECT_EQ(canonical_hostname("a.b", nullptr), "a.b");
  EXPECT_EQ(canonical_hostname("a1.xn--p1ai", nullptr), "a1.xn--p1ai");
}

// The site a Host header names: the port and one root dot dropped, IP literals never a site.
TEST(Hostname, SiteHostFromTheHostHeader) {
  using hosted::site_host;
  EXPECT_EQ(site_host("Blog.Example.com.:8080"), "blog.example.com");
  EXPECT_EQ(site_host("blog.example.com"), "blog.example.com");
  EXPECT_EQ(site_host("3com.example:80"), "3com.example");
  EXPECT_EQ(site_host("a1.xn--p1ai"), "a1.xn--p1ai");
  for (std::string_view none : {"127.0.0.1", "127.0.0.1:18080", "10.0.0.1.", "10.0.0.1.:443",
                                "[::1]:8080", "localhost:8080", "", ":80", "blog.example:",
                                "blog.example:123456", "blog.example:8o", "blog..example", "1"}) {
    EXPECT_EQ(site_host(none), std::nullopt) << none;
  }
}

TEST(Hostname, LengthLimits) {
  const std::string l63(63, 'a');
  EXPECT_TRUE(canonical_hostname(l63 + ".example", nullptr));
  std::string why;
  // Named, not a temporary: GCC 12 -O2 warns falsely (-Warray-bounds) on temporary + literal.
  const std::string l64(64, 'a');
  EXPECT_FALSE(canonical_hostname(l64 + ".example", &why));
  EXPECT_EQ(why, "domain has a label longer than 63 characters");
  // 63+1+63+1+63+1+61 = 253
  const std::string h253 = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'a');
  ASSERT_EQ(h253.size(), 253u);
  EXPECT_EQ(canonical_hostname(h253, nullptr), h253);
  EXPECT_EQ(canonical_hostname(h253 + ".", nullptr), h253);  // the root dot does not count
  EXPECT_FALSE(canonical_hostname(h253 + "a", &why));
  EXPECT_EQ(why, "domain is longer than 253 characters");
}

TEST(Hostname, RejectsMalformedNames) {
  for (const std::string& bad : std::vector<std::string>{"",
                                                         ".",
                                                         "..",
                                                         "-",
                                                         "a..b",
                                                         ".a.example",
                                                         "a.example..",
                                                         "-a-.example",
                                                         "-a.example",
                                                         "a-.example",
                                                         "a.-example",
                                                         "a_b.example",
                                                         "a b.example",
                                                         "a/b.example",
                                                         "a.example/x",
                                                         "a\x00.example"s,
                                                         "*.example",
                                                         "a.example:8080",
                                                         "localhost",
                                                         "example"}) {
    std::string why;
    EXPECT_FALSE(canonical_hostname(bad, &why).has_value()) << testing::PrintToString(bad);
    EXPECT_FALSE(why.empty()) << testing::PrintToString(bad);
  }
  std::string why;
  canonical_hostname("localhost", &why);
  EXPECT_EQ(why, "domain must have at least two labels (e.g. blog.example)");
}

TEST(Hostname, RejectsIpLiterals) {
  for (const std::string ip :
       {"127.0.0.1", "10.0.0.1.", "1.2.3.4", "0x7f.1", "[::1]", "::1", "fe80::1", "2001:db8::1"}) {
    std::string why;
    EXPECT_FALSE(canonical_hostname(ip, &why).has_value()) << ip;
  }
  std::string why;
  canonical_hostname("192.168.0.1", &why);
  EXPECT_EQ(why, "domain must be a hostname, not an IP address");
  canonical_hostname("[::1]", &why);
  EXPECT_EQ(why, "domain must be a hostname, not an IP address");
}

TEST(Hostname, UnicodeMustBePunycode) {
  std::string why;
  EXPECT_FALSE(canonical_hostname("bücher.example", &why).has_value());
  EXPECT_NE(why.find("punycode"), std::string::npos) << why;
  EXPECT_FALSE(canonical_hostname("acme.\xD1\x80\xD1\x84", &why).has_value());  // .рф
  EXPECT_NE(why.find("xn--"), std::string::npos) << why;
}

}  // namespace
}  // namespace autoblog::util
