#include "http/message.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace autoblog::http {

namespace {
std::optional<std::string_view> find(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}
}  // namespace

void NumberHeaders::add(NumberHeader h) {
  if (size_ == kCapacity) throw std::length_error("more number headers than NumberHeaders holds");
  items_[size_++] = h;
}

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  return find(headers, lower_name);
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  return find(query, name);
}

boost::asio::awaitable<std::size_t> Request::read_body_chunk(std::span<char> out) {
  if (body_chunk_reader) co_return co_await body_chunk_reader(out);
  const std::size_t n = std::min(out.size(), body.size() - std::min(body_offset, body.size()));
  std::memcpy(out.data(), body.data() + body_offset, n);
  body_offset += n;
  co_return n;
}

std::optional<std::uint64_t> Request::content_length() const {
  auto v = header("content-length");
  if (!v) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return n;
}

const std::string& Request::param(std::string_view name) const {
  for (const auto& [k, v] : path_params)
    if (k == name) return v;
  throw std::logic_error("route has no path parameter named " + std::string(name));
}

}  // namespace autoblog::http
