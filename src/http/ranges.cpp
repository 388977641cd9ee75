#include "http/ranges.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "http/field_value.h"

namespace autoblog::http {

namespace {

// Digits only (no sign, no spaces), fitting 64 bits.
std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "bytes=" in any case, then the range set; nullopt for another unit.
std::optional<std::string_view> byte_range_set(std::string_view header) {
  header = trim_ows(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() < kUnit.size()) return std::nullopt;
  for (std::size_t i = 0; i < kUnit.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kUnit[i]) return std::nullopt;
  return header.substr(kUnit.size());
}

struct Spec {
  std::optional<std::uint64_t> first;  // absent: a suffix range
  std::optional<std::uint64_t> last;   // absent: to the end (or the suffix length below)
  std::uint64_t suffix = 0;
};

// One range-spec: "a-b", "a-" or "-n"; nullopt when malformed (including b < a).
std::optional<Spec> parse_spec(std::string_view spec) {
  spec = trim_ows(spec);
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  Spec out;
  const auto left = spec.substr(0, dash);
  const auto right = spec.substr(dash + 1);
  if (left.empty()) {
    auto n = number(right);
    if (!n) return std::nullopt;
    out.suffix = *n;
    return out;
  }
  out.first = number(left);
  if (!out.first) return std::nullopt;
  if (!right.empty()) {
    out.last = number(right);
    if (!out.last || *out.last < *out.first) return std::nullopt;
  }
  return out;
}

// An entity tag without its weakness prefix, for weak comparison.
std::string_view opaque(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

RangeDecision decide_range(std::string_view range_header, std::uint64_t size) {
  RangeDecision d;
  auto set = byte_range_set(range_header);
  if (!set || set->find(',') != std::string_view::npos) return d;  // another unit, or several
  auto spec = parse_spec(*set);
  if (!spec) return d;
  if (!spec->first) {  // the last `suffix` bytes
    if (spec->suffix == 0 || size == 0) {
      d.outcome = RangeOutcome::kUnsatisfiable;
      return d;
    }
    d.outcome = RangeOutcome::kPartial;
    d.range = {size - std::min(spec->suffix, size), size - 1};
    return d;
  }
  if (*spec->first >= size) {
    d.outcome = RangeOutcome::kUnsatisfiable;
    return d;
  }
  d.outcome = RangeOutcome::kPartial;
  d.range = {*spec->first, std::min(spec->last.value_or(size - 1), size - 1)};
  return d;
}

std::optional<std::uint64_t> range_start(std::string_view range_header) {
  auto set = byte_range_set(range_header);
  if (!set || set->find(',') != std::string_view::npos) return std::nullopt;
  auto spec = parse_spec(*set);
  if (!spec) return std::nullopt;
  return spec->first;
}

bool none_match(std::string_view if_none_match, std::string_view etag) {
  if (trim_ows(if_none_match) == "*") return true;
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto tag = trim_ows(rest.substr(0, comma));
    if (!tag.empty() && opaque(tag) == opaque(etag)) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

bool if_range_matches(std::string_view if_range, std::string_view etag) {
  const auto tag = trim_ows(if_range);
  return tag.size() >= 2 && tag.front() == '"' && !etag.starts_with("W/") && tag == etag;
}

}  // namespace autoblog::http
