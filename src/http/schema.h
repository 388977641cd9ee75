#pragma once
// The JSON Schema subset that route definitions use (OpenAPI 3.0 Schema Objects), as Boost.JSON
// values: the builders below write them, check() enforces them on requests and the OpenAPI
// document embeds them unchanged, so what is documented is exactly what is enforced.
//
// Supported keywords: type (string, integer, number, boolean, object, array), nullable, enum,
// minLength/maxLength (counted in Unicode code points, as JSON Schema does), minimum/maximum,
// format (uuid, date-time in years 0001-9999 UTC; others are documentation only), properties,
// required,
// additionalProperties (true/false), items, minItems/maxItems, description. "$ref" is for
// response schemas only (documentation); check() refuses it.
//
// check() recurses along the schema, never along the input alone: it descends only where the schema
// describes nested values, so its work is linear in the input size and its recursion depth is
// the schema's. Stateless; thread-safe.
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace autoblog::http::schema {

using boost::json::value;

value string(std::size_t min_length = 0, std::size_t max_length = 0);  // 0: no maximum
value string_enum(std::initializer_list<std::string_view> values);
value string_enum(std::span<const std::string_view> values);
value uuid();
value date_time();
value integer(std::int64_t minimum, std::int64_t maximum);
value boolean();
// Any JSON object, its contents free (client data stored as is, e.g. inspiration_data).
value any_object();
value array(value items, std::size_t max_items);
// A closed object: only `properties` are allowed, `required` must be present.
value object(std::initializer_list<std::pair<std::string_view, value>> properties,
             std::initializer_list<std::string_view> required = {});
// An object whose listed properties are checked but which may carry others (responses that
// may grow fields).
value open_object(std::initializer_list<std::pair<std::string_view, value>> properties,
                  std::initializer_list<std::string_view> required = {});
// The same schema, also accepting JSON null.
value nullable(value s);
value with_description(value s, std::string_view description);
// A reference to a named schema of the document's components (responses only).
value ref(std::string_view component);

// nullopt when `v` satisfies `s`; else one message naming what failed, e.g.
// "field 'limits.ai_model' must be at most 100 characters". `name` is how the value is called
// in that message: "field 'x'", "query parameter 'limit'", "request body".
std::optional<std::string> check(const value& s, const value& v, const std::string& name);

// A raw path or query parameter read as the type its schema declares (integer → JSON integer,
// anything else → string), then check()ed. nullopt = valid, and `out` holds the typed value.
std::optional<std::string> check_parameter(const value& s, std::string_view raw,
                                           const std::string& name, value* out = nullptr);

// The format checks on their own (also used by tests). A date-time the API accepts is also
// storable: its instant lies in years 0001 to 9999 UTC, as timestamps are stored and answered in
// that form (an instant before year 1 would come back without its era, one after 9999 with a
// five-digit year).
bool is_rfc3339_date_time(std::string_view s);
bool is_storable_date_time(std::string_view s);

}  // namespace autoblog::http::schema
