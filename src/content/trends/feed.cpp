#include "content/trends/feed.h"

#include <pugixml.hpp>

#include "content/quality/markdown_text.h"
#include "content/quality/unicode_class.h"
#include "content/trends/canonical_url.h"
#include "util/text.h"

namespace autoblog::content::trends {

namespace {

std::string_view local_name(const char* name) {
  std::string_view n(name);
  const std::size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node parent, std::string_view name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  return {};
}

// Every character data below `node`, elements separated by a space (Atom's type="xhtml" content
// is markup inside the element; RSS titles sometimes hold CDATA).
void collect_text(pugi::xml_node node, std::string& out) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      out += c.value();
    } else if (c.type() == pugi::node_element) {
      out += ' ';
      collect_text(c, out);
      out += ' ';
    }
  }
}

std::string text_of(pugi::xml_node node, std::size_t max_bytes) {
  if (!node) return {};
  std::string raw;
  collect_text(node, raw);
  return plain_text(raw, max_bytes);
}

std::string raw_text(pugi::xml_node node) {
  std::string raw;
  if (node) collect_text(node, raw);
  const std::size_t b = raw.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const std::size_t e = raw.find_last_not_of(" \t\r\n");
  return raw.substr(b, e - b + 1);
}

std::string absolute_link(std::string_view link, std::string_view base) {
  if (link.empty()) return {};
  if (auto resolved = resolve_url(base, link)) return *resolved;
  return std::string(link);
}

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Tags whose content a reader never sees.
bool hidden_element(std::string_view tag) {
  return tag == "script" || tag == "style" || tag == "SCRIPT" || tag == "STYLE";
}

// Inline tags join the words around them; any other tag separates them.
bool inline_tag(std::string_view tag) {
  static constexpr std::string_view kInline[] = {"a",    "b",    "i",     "em",  "strong", "span",
                                                 "code", "abbr", "small", "sup", "sub",    "u",
                                                 "mark", "q",    "cite",  "font"};
  for (std::string_view t : kInline) {
    if (t.size() != tag.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < t.size() && same; ++k) same = (tag[k] | 0x20) == t[k];
    if (same) return true;
  }
  return false;
}

}  // namespace

std::string plain_text(std::string_view html, std::size_t max_bytes) {
  // 1. tags out, character references decoded.
  std::string decoded;
  decoded.reserve(html.size());
  for (std::size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<' && i + 1 < html.size() &&
        (is_ascii_alpha(html[i + 1]) || html[i + 1] == '/' || html[i + 1] == '!' ||
         html[i + 1] == '?')) {
      const std::size_t gt = html.find('>', i);
      if (gt == std::string_view::npos) break;  // a cut-off tag: nothing readable follows
      const std::size_t name_at = html[i + 1] == '/' ? i + 2 : i + 1;
      std::size_t n = name_at;
      while (n < gt && (is_ascii_alpha(html[n]) || (html[n] >= '0' && html[n] <= '9'))) ++n;
      const std::string_view tag = html.substr(name_at, n - name_at);
      if (name_at == i + 1 && hidden_element(tag)) {
        const std::size_t close = html.find("</", gt);
        const std::size_t end = close == std::string_view::npos ? close : html.find('>', close);
        i = end == std::string_view::npos ? html.size() : end + 1;
        decoded += ' ';
        continue;
      }
      if (!inline_tag(tag)) decoded += ' ';
      i = gt + 1;
      continue;
    }
    if (c == '&') {
      if (const std::size_t n = quality::decode_entity(html, i, decoded)) {
        i += n;
        continue;
      }
    }
    decoded += c;
    ++i;
  }
  // 2. valid UTF-8 without control characters, whitespace collapsed, cut at a character edge.
  std::string out;
  out.reserve(std::min(decoded.size(), max_bytes));
  bool space = false;
  for (std::size_t i = 0; i < decoded.size();) {
    const std::size_t len = util::utf8_sequence_length(decoded, i);
    char32_t cp = 0xFFFD;
    if (len == 1) {
      cp = static_cast<unsigned char>(decoded[i]);
    } else if (len > 1) {
      cp = static_cast<unsigned char>(decoded[i]) & (0x7F >> len);
      for (std::size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(decoded[i + k]) & 0x3F);
    }
    i += len == 0 ? 1 : len;
    if (quality::is_space_char(cp) || cp == 0xA0 || util::is_unsafe_code_point(cp)) {
      space = !out.empty();
      continue;
    }
    const std::size_t bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (out.size() + (space ? 1 : 0) + bytes > max_bytes) break;
    if (space) out += ' ';
    space = false;
    if (len == 1)
      out += static_cast<char>(cp);
    else
      quality::append_utf8(out, cp);
  }
  return out;
}

ParsedFeed parse_feed(std::string_view document, std::string_view feed_url,
                      std::size_t max_entries) {
  pugi::xml_document doc;
  // parse_default: elements, CDATA, character references and end-of-line handling; no DOCTYPE
  // processing, so no entity expansion beyond the five predefined ones and numeric references.
  const pugi::xml_parse_result parsed =
      doc.load_buffer(document.data(), document.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed)
    throw FeedError(std::string("not well-formed XML: ") + parsed.description() + " at byte " +
                    std::to_string(parsed.offset));
  const pugi::xml_node root = doc.document_element();
  const std::string_view root_name = local_name(root.name());
  ParsedFeed feed;
  if (root_name == "rss") {
    feed.format = "rss";
    const pugi::xml_node channel = child(root, "channel");
    if (!channel) throw FeedError("an RSS document without a <channel>");
    feed.title = text_of(child(channel, "title"), kMaxTitleBytes);
    for (pugi::xml_node item = channel.first_child(); item && feed.entries.size() < max_entries;
         item = item.next_sibling()) {
      if (item.type() != pugi::node_element || local_name(item.name()) != "item") continue;
      FeedEntry e;
      e.title = text_of(child(item, "title"), kMaxTitleBytes);
      std::string link = raw_text(child(item, "link"));
      if (link.empty()) {
        const pugi::xml_node guid = child(item, "guid");
        if (guid && std::string_view(guid.attribute("isPermaLink").as_string("true")) != "false")
          link = raw_text(guid);
      }
      e.link = absolute_link(link, feed_url);
      pugi::xml_node summary = child(item, "description");
      if (!summary) summary = child(item, "encoded");  // content:encoded
      e.summary = text_of(summary, kMaxSummaryBytes);
      pugi::xml_node date = child(item, "pubDate");
      if (!date) date = child(item, "date");  // dc:date
      e.published = feed_date(raw_text(date));
      feed.entries.push_back(std::move(e));
    }
  } else if (root_name == "feed") {
    feed.format = "atom";
    feed.title = text_of(child(root, "title"), kMaxTitleBytes);
    std::string base(feed_url);
    if (const char* xml_base = root.attribute("xml:base").as_string(nullptr))
      base = absolute_link(xml_base, feed_url);
    for (pugi::xml_node entry = root.first_child(); entry && feed.entries.size() < max_entries;
         entry = entry.next_sibling()) {
      if (entry.type() != pugi::node_element || local_name(entry.name()) != "entry") continue;
      FeedEntry e;
      e.title = text_of(child(entry, "title"), kMaxTitleBytes);
      for (pugi::xml_node l = entry.first_child(); l; l = l.next_sibling()) {
        if (l.type() != pugi::node_element || local_name(l.name()) != "link") continue;
        const std::string_view rel = l.attribute("rel").as_string("alternate");
        if (rel != "alternate") continue;
        e.link = absolute_link(l.attribute("href").as_string(), base);
        break;
      }
      pugi::xml_node summary = child(entry, "summary");
      if (!summary) summary = child(entry, "content");
      e.summary = text_of(summary, kMaxSummaryBytes);
      pugi::xml_node date = child(entry, "published");
      if (!date) date = child(entry, "updated");
      e.published = feed_date(raw_text(date));
      feed.entries.push_back(std::move(e));
    }
  } else {
    throw FeedError("neither RSS nor Atom: the document element is <" +
                    plain_text(root.name(), 40) + ">");
  }
  return feed;
}

}  // namespace autoblog::content::trends
