#include "http/json_body.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <stdexcept>

#include "http/errors.h"

namespace autoblog::http {

namespace {
bool is_json_content_type(std::string_view ct) {
  auto semi = ct.find(';');
  auto base = ct.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (base.size() != 16) return false;
  for (std::size_t i = 0; i < base.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(base[i])) != "application/json"[i]) return false;
  return true;
}
}  // namespace

boost::json::object parse_json_object(const Request& req, bool allow_empty) {
  if (req.body.empty() && allow_empty) return {};
  auto ct = req.header("content-type");
  if (!ct || !is_json_content_type(*ct))
    throw UnsupportedMediaType("request body must be application/json");
  boost::json::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 64;
  auto value = boost::json::parse(req.body, ec, {}, opts);
  if (ec) throw BadRequest("request body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw BadRequest("request body must be a JSON object");
  return std::move(value.as_object());
}

const boost::json::object& json_body(const Request& req) {
  if (!req.json_body) throw std::logic_error("json_body() on a route without a JSON body");
  return *req.json_body;
}

namespace {
const boost::json::value* typed_field(const boost::json::object& body, std::string_view key,
                                      bool nullable, bool (boost::json::value::*is)() const noexcept,
                                      const char* type_name) {
  auto it = body.find(key);
  if (it == body.end()) return nullptr;
  if (it->value().is_null() && nullable) return &it->value();
  if (!(it->value().*is)())
    throw BadRequest("field '" + std::string(key) + "' must be " + type_name +
                     (nullable ? " or null" : ""));
  return &it->value();
}
}  // namespace

const boost::json::value* object_field(const boost::json::object& body, std::string_view key,
                                       bool nullable) {
  return typed_field(body, key, nullable, &boost::json::value::is_object, "an object");
}

const boost::json::value* array_field(const boost::json::object& body, std::string_view key,
                                      bool nullable) {
  return typed_field(body, key, nullable, &boost::json::value::is_array, "an array");
}

std::optional<std::string> string_field(const boost::json::object& body, std::string_view key) {
  auto* v = typed_field(body, key, false, &boost::json::value::is_string, "a string");
  if (!v) return std::nullopt;
  std::string out(v->as_string());
  // PostgreSQL text cannot hold NUL; libpq would silently cut the value there.
  if (out.find('\0') != std::string::npos)
    throw BadRequest("field '" + std::string(key) + "' must not contain NUL characters");
  return out;
}

std::optional<std::int64_t> int_field(const boost::json::object& body, std::string_view key) {
  auto* v = typed_field(body, key, false, &boost::json::value::is_number, "an integer");
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  throw BadRequest("field '" + std::string(key) + "' must be an integer");
}

Response json_response(unsigned status, const boost::json::value& body) {
  return Response::json(status, boost::json::serialize(body));
}

int page_limit(const Request& req, int default_limit, int max_limit) {
  auto raw = req.query_param("limit");
  if (!raw) return default_limit;
  int value = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
  if (ec != std::errc() || end != raw->data() + raw->size() || value < 1 || value > max_limit)
    throw BadRequest("limit must be an integer between 1 and " + std::to_string(max_limit));
  return value;
}

}  // namespace autoblog::http
