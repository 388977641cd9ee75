#include "http/wire.h"

#include <boost/beast/http/status.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "http/http_date.h"
#include "util/percent.h"

namespace autoblog::http {

namespace bhttp = boost::beast::http;

namespace {

bool iequals_prefix(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != lower_prefix[i]) return false;
  return true;
}

bool fill_path_and_query(Request& req, std::string_view path, std::string_view query,
                         bool has_query) {
  req.path = std::string(path);
  if (!has_query) return true;
  auto params = util::parse_query(query);
  if (!params) return false;
  req.query = std::move(*params);
  return true;
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", 2);
  // Values come from our own code, but a CR or LF would split the response: drop them.
  bool clean = true;
  for (char c : value) clean &= (c != '\r') & (c != '\n');
  if (clean) {
    out.append(value);
  } else {
    for (char c : value)
      if (c != '\r' && c != '\n') out.push_back(c);
  }
  out.append("\r\n", 2);
}

template <class Integer>
void append_number(std::string& out, Integer n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;  // 24 characters hold any 64-bit integer, sign included
  out.append(buf, end);
}

}  // namespace

std::string next_request_id() {
  static const std::string prefix = [] {
    auto seed = static_cast<unsigned long long>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08llx", (seed ^ (seed >> 29)) & 0xffffffffULL);
    return std::string(buf);
  }();
  static std::atomic<unsigned long long> counter{0};
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, ++counter, 16);
  (void)ec;  // 24 chars hold any 64-bit value in hex
  std::string id;
  id.reserve(prefix.size() + 1 + static_cast<std::size_t>(end - buf));
  id.append(prefix).push_back('-');
  id.append(buf, end);
  return id;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

bool fill_target(Request& req, std::string_view target) {
  req.target = std::string(target);
  if (iequals_prefix(target, "http://") || iequals_prefix(target, "https://")) {
    auto uri = boost::urls::parse_absolute_uri(target);
    if (!uri) return false;
    std::string_view path = uri->encoded_path();
    return fill_path_and_query(req, path.empty() ? std::string_view("/") : path,
                               uri->encoded_query(), uri->has_query());
  }
  const auto q = target.find('?');
  return fill_path_and_query(req, target.substr(0, q),
                             q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
                             q != std::string_view::npos);
}

WireResponse to_wire(Response&& res, unsigned version, bool keep_alive, std::string head,
                     bool head_request) {
  WireResponse w;
  w.head = std::move(head);
  w.head.clear();
  w.head.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", 9);
  append_number(w.head, res.status);
  w.head.push_back(' ');
  w.head.append(bhttp::obsolete_reason(static_cast<bhttp::status>(res.status)));
  w.head.append("\r\nServer: autoblog\r\nDate: ");
  append_http_date(w.head);
  w.head.append("\r\n", 2);
  if (!res.content_type.empty()) append_header(w.head, "Content-Type", res.content_type);
  for (const auto& [k, v] : res.headers) append_header(w.head, k, v);
  for (const auto& h : res.number_headers.items()) {  // digits only: nothing to clean
    w.head.append(h.name());
    w.head.append(": ", 2);
    append_number(w.head, h.value());
    w.head.append("\r\n", 2);
  }
  if (res.status != 204 && res.status != 304 && res.status >= 200) {
    w.head.append("Content-Length: ");
    append_number(w.head, res.body_stream ? res.body_stream->size() : res.body.size());
    w.head.append("\r\n", 2);
  }
  if (!keep_alive) w.head.append("Connection: close\r\n");
  else if (version == 10) w.head.append("Connection: keep-alive\r\n");
  w.head.append("\r\n", 2);
  if (head_request) return w;
  if (res.body_stream) w.stream = std::move(res.body_stream);
  else w.body = std::move(res.body);
  return w;
}

}  // namespace autoblog::http
