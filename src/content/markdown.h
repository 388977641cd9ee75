#pragma once
// Markdown → HTML for articles (the hosted blog, webhooks, WordPress, Ghost) (md4c, CommonMark with GitHub's tables, strikethrough and
// task lists). Raw HTML is disabled: an HTML block or tag in the Markdown comes out as escaped
// text, so nothing a tenant (or a model) wrote runs in a reader's browser. Link and image
// destinations other than http(s), mailto, relative or fragment ones (javascript:, data:,
// vbscript:, ...) are replaced by "#" for the same reason. Pure: thread-safe.
#include <string>
#include <string_view>

namespace autoblog::content {

std::string markdown_to_html(std::string_view markdown);

// True for a URL a page may link to: relative, fragment, http, https or mailto.
bool is_safe_url(std::string_view url);

}  // namespace autoblog::content
