#include "util/percent.h"

#include <algorithm>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>

namespace autoblog::util {

std::optional<std::string> percent_decode(std::string_view encoded, bool plus_as_space) {
  // Nothing escaped (most ids and paths): the text is its own decoding.
  // (A plain loop: find_first_of calls memchr once per character.)
  if (std::none_of(encoded.begin(), encoded.end(),
                   [plus_as_space](char c) { return c == '%' || (plus_as_space && c == '+'); }))
    return std::string(encoded);
  // make_pct_string_view checks every escape (two hex digits after each '%') and nothing
  // else, so characters RFC 3986 would want escaped but clients send raw ('[', '|', '"')
  // still pass, as they always have.
  const auto checked =
      boost::urls::make_pct_string_view(boost::urls::string_view(encoded.data(), encoded.size()));
  if (!checked) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = plus_as_space;
  return checked->decode(opts);
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(
    std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    auto key = percent_decode(piece.substr(0, eq), true);
    if (!key) return std::nullopt;
    std::optional<std::string> value = std::string();
    if (eq != std::string_view::npos) value = percent_decode(piece.substr(eq + 1), true);
    if (!value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

}  // namespace autoblog::util
