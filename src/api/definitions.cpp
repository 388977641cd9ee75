#include "api/definitions.h"

#include <boost/json/array.hpp>

#include "http/schema.h"
#include "jobs/job.h"

namespace autoblog::api::defs {

namespace json = boost::json;
namespace s = http::schema;

namespace {

// The storage quota's ceiling (2^50 bytes) and the counts' (10^9), as the tenant service
// checks them.
constexpr std::int64_t kMaxCount = 1000000000;
// Tokens add up fast (a tenant may spend billions over time): the JSON-safe integer range.
constexpr std::int64_t kMaxTokens = (std::int64_t{1} << 53) - 1;
constexpr std::int64_t kMaxStorageBytes = std::int64_t{1} << 50;

json::value free_nullable_object(std::string_view description) {
  return s::with_description(s::nullable(s::any_object()), description);
}

}  // namespace

json::value sources_schema() {
  // Unknown keys are kept with the brand; the URLs themselves are checked by the service.
  return s::with_description(
      s::open_object({{"feeds", s::nullable(s::array(s::string(1, 2048), 50))},
                      {"every_hours", s::integer(1, 720)},
                      {"auto_generate", s::integer(0, 50)}}),
      "Where trend discovery reads. feeds: absolute http(s) URLs of RSS 2.0 or Atom feeds; "
      "every_hours: how often scheduled discovery runs; auto_generate: how many of the best new "
      "inspirations it may generate");
}

namespace {

json::object build_components() {
  json::object c;
  c["Error"] = s::with_description(
      s::object(
          {{"error",
            s::object({{"code", s::string_enum({"invalid_request", "unauthorized", "forbidden",
                                                "not_found", "conflict", "payload_too_large",
                                                "unsupported_media_type", "rate_limited",
                                                "quota_exceeded", "internal", "unavailable"})},
                       {"message", s::string(1)}},
                      {"code", "message"})}},
          {"error"}),
      "Every error: a stable code and a message for people (never secrets or internals)");

  auto tenant = tenant_properties();
  // The admin API shows the tenant's own overrides of its tier's limits.
  tenant["limits"] = s::ref("LimitOverrides");
  c["Tenant"] =
      s::with_description(json::object{{"type", "object"},
                                       {"properties", std::move(tenant)},
                                       {"required",
                                        {"id", "name", "domain", "schema_name", "status",
                                         "subscription_tier", "created_at", "updated_at"}}},
                          "A tenant as the platform operator sees it");

  c["TenantLimits"] = s::with_description(
      s::open_object(
          {{"requests_per_hour", s::integer(1, kMaxCount)},
           {"max_concurrent_generations", s::integer(1, kMaxCount)},
           {"max_daily_content", s::with_description(s::integer(-1, kMaxCount), "-1 = unlimited")},
           {"ai_model", s::string(1, 100)},
           {"image_quality", s::string_enum({"standard", "hd"})},
           {"daily_token_budget",
            s::with_description(s::nullable(s::integer(0, kMaxCount)), "null = unlimited")}},
          {"requests_per_hour", "max_concurrent_generations", "max_daily_content", "ai_model",
           "image_quality", "daily_token_budget"}),
      "The limits in force: the tier's, with the tenant's overrides applied");

  c["LimitOverrides"] = s::with_description(
      s::object(
          {{"requests_per_hour", s::nullable(s::integer(1, kMaxCount))},
           {"max_concurrent_generations", s::nullable(s::integer(1, kMaxCount))},
           {"max_daily_content",
            s::with_description(s::nullable(s::integer(-1, kMaxCount)), "-1 = unlimited")},
           {"daily_token_budget",
            s::with_description(s::nullable(s::integer(-1, kMaxCount)), "-1 = unlimited")},
           {"storage_bytes", s::with_description(s::nullable(s::integer(-1, kMaxStorageBytes)),
                                                 "bytes; 0 = no storage, -1 = unlimited")},
           {"ai_model", s::nullable(s::string(1, 100))},
           {"image_quality", s::nullable(s::string_enum({"standard", "hd"}))}}),
      "Per-tenant overrides of the tier's limits; null removes an override");

  c["ContentItem"] = s::open_object(
      {{"id", s::uuid()},
       {"status", s::string_enum({"inspiration", "briefed", "generating", "generated", "approved",
                                  "scheduled", "published", "failed", "archived"})},
       {"inspiration_data", s::any_object()},
       {"content_brief", free_nullable_object("The brief, once written")},
       {"generated_content", free_nullable_object("The generated article, once generated")},
       {"visual_assets", free_nullable_object("Images made for the article")},
       {"quality_scores", free_nullable_object("Scores of the generated article")},
       {"published_at", s::nullable(s::date_time())},
       {"created_at", s::date_time()},
       {"updated_at", s::date_time()},
       {"generation",
        free_nullable_object("What wrote the article: provider, model, tokens, duration, image, "
                             "and whether a person has edited it since")},
       {"publications",
        s::with_description(s::any_object(),
                            "What happened at each publishing target, by target key (\"hosted\", "
                            "...): status, remote_id, url, published_at, error")}},
      {"id", "status", "inspiration_data", "content_brief", "generated_content", "visual_assets",
       "quality_scores", "published_at", "created_at", "updated_at", "generation",
       "publications"});

  c["Job"] = s::open_object(
      {{"id", s::uuid()},
       {"kind", s::string_enum(jobs::kJobKinds)},
       {"state", s::string_enum(jobs::kJobStates)},
       {"priority", s::string_enum({"high", "normal", "low"})},
       {"attempts", s::integer(0, 100)},
       {"max_attempts", s::integer(1, 100)},
       {"run_at", s::date_time()},
       {"started_at", s::nullable(s::date_time())},
       {"finished_at", s::nullable(s::date_time())},
       {"last_error", s::nullable(s::string())},
       {"result", free_nullable_object("What the job produced, once succeeded")},
       {"created_at", s::date_time()}},
      {"id", "kind", "state", "priority", "attempts", "max_attempts", "run_at", "started_at",
       "finished_at", "last_error", "result", "created_at"});

  c["Usage"] = s::open_object(
      {{"requests_per_hour", s::integer(0, kMaxCount)},
       {"content_today",
        s::open_object({{"used", s::integer(0, kMaxCount)},
                        {"limit", s::with_description(s::nullable(s::integer(0, kMaxCount)),
                                                      "null = unlimited")},
                        {"resets_at", s::date_time()}},
                       {"used", "limit", "resets_at"})},
       {"concurrent_generations",
        s::open_object({{"running", s::integer(0, kMaxCount)},
                        {"limit", s::integer(0, kMaxCount)}},
                       {"running", "limit"})},
       {"ai_tokens_today",
        s::open_object({{"used", s::integer(0, kMaxTokens)},
                        {"limit", s::with_description(s::nullable(s::integer(0, kMaxTokens)),
                                                      "limits.daily_token_budget; null = unlimited")},
                        {"resets_at", s::date_time()}},
                       {"used", "limit", "resets_at"})},
       {"images_today",
        s::open_object({{"used", s::integer(0, kMaxCount)}, {"resets_at", s::date_time()}},
                       {"used", "resets_at"})}},
      {"requests_per_hour", "content_today", "concurrent_generations", "ai_tokens_today",
       "images_today"});

  c["PerformanceRecord"] = s::open_object({{"id", s::uuid()},
                                           {"content_id", s::uuid()},
                                           {"metrics", s::any_object()},
                                           {"tracked_at", s::date_time()}},
                                          {"id", "content_id", "metrics", "tracked_at"});

  c["Brand"] = s::open_object({{"id", s::uuid()},
                               {"voice_tone", s::any_object()},
                               {"topics", json::object{{"type", "array"}}},
                               {"visual_style", s::nullable(s::any_object())},
                               {"seo_strategy", s::nullable(s::any_object())},
                               {"publishing_config", s::nullable(s::any_object())},
                               {"sources", s::nullable(sources_schema())},
                               {"created_at", s::date_time()},
                               {"updated_at", s::date_time()}},
                              {"id", "voice_tone", "topics", "visual_style", "seo_strategy",
                               "publishing_config", "sources", "created_at", "updated_at"});


  c["FileInfo"] = s::open_object(
      {{"key", s::string(1)},
       {"size", s::integer(0, INT64_MAX)},
       {"etag", s::with_description(s::string(1), "quoted, as in the ETag header")},
       {"content_type",
        s::with_description(s::nullable(s::string()), "null in S3 listings (not returned)")},
       {"last_modified", s::date_time()}},
      {"key", "size", "etag", "content_type", "last_modified"});

  c["IssuedToken"] =
      s::open_object({{"token", s::with_description(s::string(1), "An HS256 JWT; shown only once")},
                      {"expires_at", s::date_time()}},
                     {"token", "expires_at"});

  c["TokenInfo"] = s::open_object({{"jti", s::uuid()},
                                   {"issued_at", s::date_time()},
                                   {"expires_at", s::date_time()},
                                   {"revoked_at", s::nullable(s::date_time())}},
                                  {"jti", "issued_at", "expires_at", "revoked_at"});
  return c;
}

}  // namespace

const json::object& components() {
  static const json::object c = build_components();
  return c;
}

json::object tenant_properties() {
  return json::object{{"id", s::uuid()},
                      {"name", s::string(1, 255)},
                      {"domain", s::nullable(s::string(1, 255))},
                      {"schema_name", s::string(1)},
                      {"status", s::string_enum({"active", "suspended", "deleted"})},
                      {"subscription_tier", s::string_enum({"starter", "growth", "enterprise"})},
                      {"created_at", s::date_time()},
                      {"updated_at", s::date_time()}};
}

http::ParamSpec uuid_path(std::string name, std::string description) {
  return {std::move(name), http::ParamSpec::In::kPath, true, s::uuid(), std::move(description)};
}

http::ParamSpec limit_query(int default_limit, int max_limit) {
  auto schema = s::integer(1, max_limit);
  schema.as_object()["default"] = default_limit;
  return {"limit", http::ParamSpec::In::kQuery, false, std::move(schema), "Page size"};
}

http::ParamSpec cursor_query() {
  return {"cursor", http::ParamSpec::In::kQuery, false, s::string(1, 4096),
          "The next_cursor of the previous page (opaque)"};
}

json::value page_of(json::value item) {
  return s::open_object(
      {{"items", json::object{{"type", "array"}, {"items", std::move(item)}}},
       {"next_cursor", s::with_description(s::nullable(s::string(1)), "null on the last page")}},
      {"items", "next_cursor"});
}

http::ResponseSpec response(unsigned status, std::string description, json::value schema) {
  return {status, std::move(description), "application/json", std::move(schema), {}};
}

http::ResponseSpec created(std::string description, json::value schema) {
  auto r = response(201, std::move(description), std::move(schema));
  r.headers.push_back({"Location", "The created resource's URL", s::string(1), false});
  return r;
}

http::ResponseSpec no_content(std::string description) {
  return {204, std::move(description), "", nullptr, {}};
}

http::ResponseSpec error(unsigned status, std::string description) {
  return {status, std::move(description), "application/json", s::ref("Error"), {}};
}

}  // namespace autoblog::api::defs
