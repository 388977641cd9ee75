#include "http/schema.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <stdexcept>

#include "util/random.h"
#include "util/utf8.h"

namespace autoblog::http::schema {

namespace json = boost::json;

value string(std::size_t min_length, std::size_t max_length) {
  json::object o{{"type", "string"}};
  if (min_length > 0) o["minLength"] = min_length;
  if (max_length > 0) o["maxLength"] = max_length;
  return o;
}

value string_enum(std::span<const std::string_view> values) {
  json::array e;
  for (auto v : values) e.emplace_back(v);
  return json::object{{"type", "string"}, {"enum", std::move(e)}};
}

value string_enum(std::initializer_list<std::string_view> values) {
  return string_enum(std::span<const std::string_view>(values.begin(), values.size()));
}

value uuid() {
  return json::object{{"type", "string"}, {"format", "uuid"}};
}

value date_time() {
  return json::object{{"type", "string"}, {"format", "date-time"}};
}

value integer(std::int64_t minimum, std::int64_t maximum) {
  return json::object{{"type", "integer"}, {"minimum", minimum}, {"maximum", maximum}};
}

value boolean() {
  return json::object{{"type", "boolean"}};
}

value any_object() {
  return json::object{{"type", "object"}};
}

value array(value items, std::size_t max_items) {
  return json::object{{"type", "array"}, {"items", std::move(items)}, {"maxItems", max_items}};
}

namespace {
value object_schema(std::initializer_list<std::pair<std::string_view, value>> properties,
                    std::initializer_list<std::string_view> required, bool closed) {
  json::object props;
  for (const auto& [name, s] : properties) props[name] = s;
  json::object o{{"type", "object"}, {"properties", std::move(props)}};
  if (required.size() > 0) {
    json::array r;
    for (auto n : required) r.emplace_back(n);
    o["required"] = std::move(r);
  }
  o["additionalProperties"] = !closed;
  return o;
}
}  // namespace

value object(std::initializer_list<std::pair<std::string_view, value>> properties,
             std::initializer_list<std::string_view> required) {
  return object_schema(properties, required, true);
}

value open_object(std::initializer_list<std::pair<std::string_view, value>> properties,
                  std::initializer_list<std::string_view> required) {
  return object_schema(properties, required, false);
}

value nullable(value s) {
  // OpenAPI 3.0 "nullable" also admits null past an "enum" (tools add it themselves; listing
  // null in the enum as well makes their translated schema invalid).
  s.as_object()["nullable"] = true;
  return s;
}

value with_description(value s, std::string_view description) {
  s.as_object()["description"] = description;
  return s;
}

value ref(std::string_view component) {
  return json::object{{"$ref", "#/components/schemas/" + std::string(component)}};
}

// ---- formats

namespace {

// Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// RFC 3339 parsed; nullopt when `s` is not one. `utc_seconds` is the instant, `fraction` whether
// it has a non-zero fractional second.
struct DateTime {
  std::int64_t utc_seconds;
  bool fraction;
};

std::optional<DateTime> parse_rfc3339(std::string_view s) {
  auto num = [&](std::size_t from, std::size_t n, int& out) {
    if (from + n > s.size()) return false;
    out = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!num(0, 4, year) || s.size() < 20 || s[4] != '-' || !num(5, 2, month) || s[7] != '-' ||
      !num(8, 2, day) || (s[10] != 'T' && s[10] != 't') || !num(11, 2, hour) || s[13] != ':' ||
      !num(14, 2, minute) || s[16] != ':' || !num(17, 2, second))
    return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] ||
      (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  std::size_t i = 19;
  bool fraction = false;
  if (s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') fraction |= s[i++] != '0';
    if (i == start) return std::nullopt;
  }
  int offset_minutes = 0;
  if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
  } else {
    int oh, om;
    if (!(i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && num(i + 1, 2, oh) &&
          s[i + 3] == ':' && num(i + 4, 2, om) && oh <= 23 && om <= 59))
      return std::nullopt;
    offset_minutes = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
  }
  const auto days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return DateTime{days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60,
                  fraction};
}

}  // namespace

bool is_rfc3339_date_time(std::string_view s) {
  return parse_rfc3339(s).has_value();
}

bool is_storable_date_time(std::string_view s) {
  static const std::int64_t kFirst = days_from_civil(1, 1, 1) * 86400;
  static const std::int64_t kLast = days_from_civil(9999, 12, 31) * 86400 + 86399;
  auto t = parse_rfc3339(s);
  return t && t->utc_seconds >= kFirst &&
         (t->utc_seconds < kLast || (t->utc_seconds == kLast && !t->fraction));
}

namespace {

// Unicode code points in valid UTF-8 (Boost.JSON has already refused invalid UTF-8).
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string_view type_of(const json::object& s) {
  auto* t = s.if_contains("type");
  return t && t->is_string() ? std::string_view(t->as_string()) : std::string_view();
}

const char* article_name(std::string_view type) {
  if (type == "string") return "a string";
  if (type == "integer") return "an integer";
  if (type == "number") return "a number";
  if (type == "boolean") return "a boolean";
  if (type == "object") return "an object";
  if (type == "array") return "an array";
  return "a value";
}

bool has_type(std::string_view type, const value& v) {
  if (type.empty()) return true;
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  throw std::logic_error("schema: unsupported type " + std::string(type));
}

// -1, 0, 1 comparing a JSON number with an int64 bound, exactly for integers.
int compare(const value& v, std::int64_t bound) {
  if (v.is_int64()) return v.as_int64() < bound ? -1 : v.as_int64() > bound;
  if (v.is_uint64())
    return bound < 0 || v.as_uint64() > static_cast<std::uint64_t>(bound) ? 1
           : v.as_uint64() < static_cast<std::uint64_t>(bound)            ? -1
                                                                          : 0;
  double d = v.as_double();
  return d < static_cast<double>(bound) ? -1 : d > static_cast<double>(bound);
}

std::string range_text(const json::object& s) {
  auto* lo = s.if_contains("minimum");
  auto* hi = s.if_contains("maximum");
  if (lo && hi) return "between " + json::serialize(*lo) + " and " + json::serialize(*hi);
  if (lo) return "at least " + json::serialize(*lo);
  return "at most " + json::serialize(*hi);
}

// Walks the schema; `path` is the dotted field path below the root ("" = the root itself).
class Checker {
 public:
  explicit Checker(const std::string& root_name) : root_(root_name) {}

  std::optional<std::string> run(const value& sv, const value& v, const std::string& path) const {
    if (!sv.is_object()) throw std::logic_error("schema: not an object at " + describe(path));
    const auto& s = sv.as_object();
    if (s.contains("$ref")) throw std::logic_error("schema: $ref cannot be checked");
    const bool nullable = s.contains("nullable") && s.at("nullable").as_bool();
    const auto type = type_of(s);
    if (v.is_null()) {
      if (nullable || type.empty()) return std::nullopt;
      return fail(path, std::string("must be ") + article_name(type));
    }
    if (!has_type(type, v))
      return fail(path,
                  std::string("must be ") + article_name(type) + (nullable ? " or null" : ""));
    if (auto* e = s.if_contains("enum")) {
      const auto& options = e->as_array();
      if (std::find(options.begin(), options.end(), v) == options.end()) {
        std::string allowed;
        for (const auto& option : options) {
          if (!allowed.empty()) allowed += ", ";
          allowed += option.is_string() ? std::string(option.as_string()) : json::serialize(option);
        }
        return fail(path, "must be one of: " + allowed);
      }
    }
    if (v.is_string()) return check_string(s, v.as_string(), path);
    if (v.is_number()) {
      auto* lo = s.if_contains("minimum");
      auto* hi = s.if_contains("maximum");
      if ((lo && compare(v, lo->to_number<std::int64_t>()) < 0) ||
          (hi && compare(v, hi->to_number<std::int64_t>()) > 0))
        return fail(path, std::string("must be ") + article_name(type) + " " + range_text(s));
      return std::nullopt;
    }
    if (v.is_array()) return check_array(s, v.as_array(), path);
    if (v.is_object()) return check_object(s, v.as_object(), path);
    return std::nullopt;
  }

 private:
  std::string describe(const std::string& path) const {
    return path.empty() ? root_ : "field '" + path + "'";
  }
  std::optional<std::string> fail(const std::string& path, const std::string& what) const {
    return describe(path) + " " + what;
  }

  std::optional<std::string> check_string(const json::object& s, std::string_view text,
                                          const std::string& path) const {
    auto* lo = s.if_contains("minLength");
    auto* hi = s.if_contains("maxLength");
    const auto n = code_points(text);
    const auto min = lo ? lo->to_number<std::size_t>() : 0;
    const auto max = hi ? hi->to_number<std::size_t>() : SIZE_MAX;
    if (n < min || n > max) {
      if (!hi)
        return fail(path, min == 1 ? "must not be empty"
                                   : "must be at least " + std::to_string(min) + " characters");
      return fail(path, "must be " + (min > 0 ? std::to_string(min) + " to " : "at most ") +
                            std::to_string(max) + " characters");
    }
    if (auto* f = s.if_contains("format"); f && f->is_string()) {
      // Compared as a string_view: comparing the json::value with "uuid" would build a
      // json::string for each comparison.
      const std::string_view format = f->as_string();
      if (format == "uuid" && !util::is_uuid(text)) return fail(path, "must be a UUID");
      if (format == "date-time" && !is_storable_date_time(text))
        return fail(path,
                    "must be an RFC 3339 date-time from 0001-01-01T00:00:00Z to "
                    "9999-12-31T23:59:59Z (e.g. 2026-01-31T12:00:00Z)");
    }
    return std::nullopt;
  }

  std::optional<std::string> check_array(const json::object& s, const json::array& a,
                                         const std::string& path) const {
    if (auto* hi = s.if_contains("maxItems"); hi && a.size() > hi->to_number<std::size_t>())
      return fail(path, "must have at most " + json::serialize(*hi) + " items");
    if (auto* lo = s.if_contains("minItems"); lo && a.size() < lo->to_number<std::size_t>())
      return fail(path, "must have at least " + json::serialize(*lo) + " items");
    if (auto* items = s.if_contains("items")) {
      for (std::size_t i = 0; i < a.size(); ++i)
        if (auto bad = run(*items, a[i], path + "[" + std::to_string(i) + "]")) return bad;
    }
    return std::nullopt;
  }

  std::optional<std::string> check_object(const json::object& s, const json::object& o,
                                          const std::string& path) const {
    static const json::object kNone;
    auto* props_v = s.if_contains("properties");
    const auto& props = props_v ? props_v->as_object() : kNone;
    auto child = [&](std::string_view key) {
      return path.empty() ? std::string(key) : path + "." + std::string(key);
    };
    auto* extra = s.if_contains("additionalProperties");
    if (extra && extra->is_bool() && !extra->as_bool()) {
      for (const auto& kv : o)
        if (!props.contains(kv.key()))
          return "unknown field '" + util::printable(child(kv.key()), 100) + "'";
    }
    if (auto* req = s.if_contains("required")) {
      for (const auto& r : req->as_array())
        if (!o.contains(r.as_string())) return "field '" + child(r.as_string()) + "' is required";
    }
    for (const auto& kv : o) {
      auto it = props.find(kv.key());
      if (it == props.end()) continue;
      if (auto bad = run(it->value(), kv.value(), child(kv.key()))) return bad;
    }
    return std::nullopt;
  }

  const std::string& root_;
};

}  // namespace

std::optional<std::string> check(const value& s, const value& v, const std::string& name) {
  return Checker(name).run(s, v, "");
}

std::optional<std::string> check_parameter(const value& s, std::string_view raw,
                                           const std::string& name, value* out) {
  // A value only checked, not kept, lives in a buffer on the stack: no heap allocation for the
  // ids and names that parameters usually are (this runs on every request with parameters).
  unsigned char buffer[256];
  json::monotonic_resource scratch(buffer, sizeof buffer);
  value typed(out ? json::storage_ptr() : json::storage_ptr(&scratch));
  if (type_of(s.as_object()) == "integer") {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
    if (ec != std::errc() || end != raw.data() + raw.size()) {
      std::string what = name + " must be an integer";
      if (s.as_object().contains("minimum") || s.as_object().contains("maximum"))
        what += " " + range_text(s.as_object());
      return what;
    }
    typed = n;
  } else {
    typed.emplace_string().assign(raw);
  }
  auto bad = check(s, typed, name);
  if (!bad && out) *out = std::move(typed);
  return bad;
}

}  // namespace autoblog::http::schema
