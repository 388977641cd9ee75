#include "http/schema.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/errors.h"
#include "http/operation.h"
#include "http/request_validation.h"

using namespace autoblog::http;
namespace s = autoblog::http::schema;
namespace json = boost::json;

namespace {
std::optional<std::string> check(const json::value& schema, std::string_view body) {
  return s::check(schema, json::parse(body), "request body");
}

json::value tenant_body() {
  return s::object({{"name", s::string(1, 5)},
                    {"domain", s::nullable(s::string(1, 255))},
                    {"tier", s::string_enum({"starter", "growth"})},
                    {"limits", s::object({{"rph", s::nullable(s::integer(1, 100))}})},
                    {"topics", s::array(s::string(1), 2)},
                    {"at", s::date_time()},
                    {"id", s::uuid()}},
                   {"name"});
}
}  // namespace

TEST(Schema, AcceptsWhatItDescribes) {
  EXPECT_EQ(check(tenant_body(), R"({"name":"abc"})"), std::nullopt);
  EXPECT_EQ(check(tenant_body(), R"({"name":"äöüßé","domain":null,"tier":"growth",
      "limits":{"rph":null},"topics":["a","b"],"at":"2024-02-29T23:59:59.5+01:00",
      "id":"0A0B0C0D-0000-4000-8000-000000000000"})"),
            std::nullopt);
}

TEST(Schema, NamesTheFieldThatFails) {
  auto b = tenant_body();
  EXPECT_EQ(check(b, "{}"), "field 'name' is required");
  EXPECT_EQ(check(b, "[]"), "request body must be an object");
  EXPECT_EQ(check(b, R"({"name":"abc","surprise":1})"), "unknown field 'surprise'");
  EXPECT_EQ(check(b, R"({"name":""})"), "field 'name' must be 1 to 5 characters");
  EXPECT_EQ(check(b, R"({"name":"abcdef"})"), "field 'name' must be 1 to 5 characters");
  EXPECT_EQ(check(b, R"({"name":5})"), "field 'name' must be a string");
  EXPECT_EQ(check(b, R"({"name":null})"), "field 'name' must be a string");
  EXPECT_EQ(check(b, R"({"name":"a","domain":5})"), "field 'domain' must be a string or null");
  EXPECT_EQ(check(b, R"({"name":"a","tier":"gold"})"),
            "field 'tier' must be one of: starter, growth");
  EXPECT_EQ(check(b, R"({"name":"a","limits":{"rph":0}})"),
            "field 'limits.rph' must be an integer between 1 and 100");
  EXPECT_EQ(check(b, R"({"name":"a","limits":{"rph":1.5}})"),
            "field 'limits.rph' must be an integer or null");
  EXPECT_EQ(check(b, R"({"name":"a","limits":{"x":1}})"), "unknown field 'limits.x'");
  EXPECT_EQ(check(b, R"({"name":"a","topics":["a","b","c"]})"),
            "field 'topics' must have at most 2 items");
  EXPECT_EQ(check(b, R"({"name":"a","topics":["a",""]})"), "field 'topics[1]' must not be empty");
  EXPECT_EQ(check(b, R"({"name":"a","id":"nope"})"), "field 'id' must be a UUID");
  EXPECT_EQ(check(b, R"({"name":"a","limits":{"rph":18446744073709551615}})"),
            "field 'limits.rph' must be an integer between 1 and 100");
  EXPECT_EQ(check(b, R"({"name":"a","limits":{"rph":-9223372036854775808}})"),
            "field 'limits.rph' must be an integer between 1 and 100");
}

TEST(Schema, DateTimesAreCheckedForRange) {
  EXPECT_TRUE(s::is_rfc3339_date_time("2026-01-31T12:00:00Z"));
  EXPECT_TRUE(s::is_rfc3339_date_time("2024-02-29t00:00:00.123456-05:30"));
  for (auto bad :
       {"2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-32T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:00",
        "2026-01-01 00:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+24:00", "", "2026"})
    EXPECT_FALSE(s::is_rfc3339_date_time(bad)) << bad;
}

TEST(Schema, DateTimesMustBeStorable) {
  for (auto ok : {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00-01:00", "9999-12-31T23:59:59Z",
                  "9999-12-31T23:59:59.000Z", "9999-12-31T23:00:00+15:00"})
    EXPECT_TRUE(s::is_storable_date_time(ok)) << ok;
  // Before year 1 UTC, or past the end of 9999 (also by rounding a fraction).
  for (auto bad : {"0000-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-15:00",
                   "9999-12-31T23:59:59.5Z"})
    EXPECT_FALSE(s::is_storable_date_time(bad)) << bad;
  EXPECT_EQ(check(s::object({{"at", s::date_time()}}), R"({"at":"0001-01-01T00:00:00+01:00"})"),
            "field 'at' must be an RFC 3339 date-time from 0001-01-01T00:00:00Z to "
            "9999-12-31T23:59:59Z (e.g. 2026-01-31T12:00:00Z)");
}

TEST(Schema, ParametersAreReadAsTheirType) {
  json::value out;
  EXPECT_EQ(s::check_parameter(s::integer(1, 100), "20", "query parameter 'limit'", &out),
            std::nullopt);
  EXPECT_EQ(out, json::value(20));
  for (auto bad : {"0", "101", "1.5", "", " 1", "1x", "+1", "99999999999999999999"})
    EXPECT_EQ(s::check_parameter(s::integer(1, 100), bad, "query parameter 'limit'"),
              "query parameter 'limit' must be an integer between 1 and 100")
        << bad;
  EXPECT_EQ(s::check_parameter(s::uuid(), "x", "path parameter 'id'"),
            "path parameter 'id' must be a UUID");
}

TEST(RequestValidation, ChecksParametersThenTheBody) {
  Operation op;
  op.params = {{"id", ParamSpec::In::kPath, true, s::uuid(), ""},
               {"limit", ParamSpec::In::kQuery, false, s::integer(1, 10), ""}};
  op.body = BodySpec{.schema = s::object({{"n", s::integer(0, 5)}}, {"n"})};
  Request req;
  req.path_params = {{"id", "00000000-0000-0000-0000-000000000000"}};
  req.query = {{"limit", "11"}};
  EXPECT_THROW(check_parameters(op, req), BadRequest);
  req.query = {{"limit", "10"}};
  EXPECT_NO_THROW(check_parameters(op, req));
  req.headers = {{"content-type", "application/json"}};
  req.body = R"({"n":6})";
  EXPECT_THROW(check_body(op, req), BadRequest);
  req.body = R"({"n":5})";
  check_body(op, req);
  ASSERT_TRUE(req.json_body);
  EXPECT_EQ(req.json_body->at("n"), json::value(5));
  req.headers = {{"content-type", "text/plain"}};
  EXPECT_THROW(check_body(op, req), UnsupportedMediaType);
}

TEST(RequestValidation, AnOptionalBodyMayBeEmpty) {
  Operation op;
  op.body = BodySpec{.schema = s::object({{"ttl", s::integer(1, 5)}}), .required = false};
  Request req;
  check_body(op, req);
  ASSERT_TRUE(req.json_body);
  EXPECT_TRUE(req.json_body->empty());
}
