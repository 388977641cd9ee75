#include "api/files_api.h"

#include <boost/json/serialize.hpp>
#include <algorithm>
#include <charconv>
#include <span>
#include <chrono>

#include "api/common.h"
#include "api/definitions.h"
#include "api/usage_reporter.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "http/operation.h"
#include "http/ranges.h"
#include "http/schema.h"
#include "storage/object_key.h"
#include "storage/object_storage.h"
#include "tenancy/tenant.h"

namespace autoblog::api {

namespace asio = boost::asio;
using http::Audience;
using http::Request;
using http::Response;
namespace s = http::schema;

namespace {

// The one key rule (storage/object_key.h) for PUT, GET, DELETE, presign and list prefixes; its
// reasons already say "object key ..." or "prefix ...".
std::string checked_key(std::string_view raw, bool allow_empty) {
  std::string why;
  auto key = storage::validate_object_key(raw, &why, allow_empty);
  if (!key) throw http::BadRequest(allow_empty ? why : "invalid key: " + why);
  return *key;
}

// content_type is null in S3 listings: ListObjectsV2 does not return it (GET does).
boost::json::object info_json(const storage::ObjectInfo& i) {
  boost::json::object o{{"key", i.key}, {"size", i.size}, {"etag", i.etag}};
  if (i.content_type.empty()) o["content_type"] = nullptr;
  else o["content_type"] = i.content_type;
  o["last_modified"] = i.last_modified;
  return o;
}

// Content types are echoed back on download: keep them to a sane token/param syntax.
std::string checked_content_type(const Request& req) {
  auto ct = req.header("content-type");
  if (!ct || ct->empty()) return "application/octet-stream";
  if (ct->size() > 255) throw http::BadRequest("Content-Type is too long");
  for (char c : *ct)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw http::BadRequest("Content-Type contains control characters");
  return std::string(*ct);
}

// The stored size of `key` (nullopt when absent), for the quota's delta and to tell a created
// object (201) from a replaced one (200): the first key of a listing by that prefix is the key
// itself when it exists. One LIST/readdir, never a scan of the tenant.
asio::awaitable<std::optional<std::int64_t>> stored_size(storage::ObjectStorage& storage,
                                                         const std::string& tenant_id,
                                                         const std::string& key) {
  storage::ListPage page;
  try {
    page = co_await storage.list(tenant_id, key, std::nullopt, 1);
  } catch (const std::invalid_argument&) {
    co_return std::nullopt;  // a key the backend cannot hold (the PUT then says why)
  }
  if (page.items.empty() || page.items.front().key != key) co_return std::nullopt;
  co_return static_cast<std::int64_t>(page.items.front().size);
}

// The upload as the storage reads it: the request body, pulled from the connection a chunk at a
// time (the route streams_body), with the storage quota enforced as it streams when the size was
// not declared up front (a chunked upload): past `allowed` bytes the read throws, and the storage
// put, seeing its source fail, stores nothing.
class UploadSource final : public storage::BodySource {
 public:
  UploadSource(Request& req, std::optional<std::int64_t> allowed, std::string quota_message)
      : req_(req), allowed_(allowed), quota_message_(std::move(quota_message)) {}

  asio::awaitable<std::size_t> read(std::span<char> out) override {
    const std::size_t n = co_await req_.read_body_chunk(out);
    read_ += static_cast<std::int64_t>(n);
    if (allowed_ && read_ > *allowed_) throw http::QuotaExceeded(quota_message_);
    co_return n;
  }

 private:
  Request& req_;
  std::optional<std::int64_t> allowed_;
  std::string quota_message_;
  std::int64_t read_ = 0;
};

std::string quota_message(std::int64_t used, std::int64_t quota, std::int64_t delta) {
  return "storage quota exceeded: " + std::to_string(used) + " of " + std::to_string(quota) +
         " bytes used, this object needs " + (delta >= 0 ? std::to_string(delta) + " " : "") +
         "more";
}

// The body of a download, read from storage a piece at a time as the server writes it, so a
// large object is never held whole (storage::ObjectReader).
class ObjectBody final : public http::BodyStream {
 public:
  ObjectBody(std::unique_ptr<storage::ObjectReader> reader, http::ByteRange range)
      : reader_(std::move(reader)), range_(range), next_(range.first) {}
  std::uint64_t size() const override { return range_.length(); }
  asio::awaitable<std::string_view> next() override {
    if (next_ > range_.last) co_return std::string_view();
    const auto want = static_cast<std::size_t>(
        std::min<std::uint64_t>(reader_->chunk_size(), range_.last + 1 - next_));
    piece_ = co_await reader_->read(next_, want);
    if (piece_.empty()) throw storage::StorageUnavailable("object ended before its size");
    next_ += piece_.size();
    co_return std::string_view(piece_);
  }

 private:
  std::unique_ptr<storage::ObjectReader> reader_;
  http::ByteRange range_;
  std::uint64_t next_;
  std::string piece_;  // the piece the server is writing
};

// GET and HEAD of an object: ETag and If-None-Match (304), Range and If-Range (206/416), the
// body streamed from storage unless it fits one piece.
asio::awaitable<Response> download(storage::ObjectStorage& storage, const Request& req,
                                   const std::string& tenant_id, const std::string& key) {
  const bool head = req.method == "HEAD";
  const auto if_none_match = req.header("if-none-match");
  auto range_header = req.header("range");
  // Where the body will start, when a GET will surely send one: storage can bring that piece
  // with the metadata. HEAD and conditional requests fetch the metadata only.
  std::optional<std::uint64_t> first;
  if (!head && !if_none_match) first = range_header ? http::range_start(*range_header) : 0;
  auto reader = co_await storage.open(tenant_id, key, first);
  if (!reader) throw http::NotFound("object not found");
  const auto& info = reader->info();

  Response res;
  res.headers.emplace_back("ETag", info.etag);
  res.headers.emplace_back("Accept-Ranges", "bytes");
  if (if_none_match && http::none_match(*if_none_match, info.etag)) {
    res.status = 304;  // the client's copy is current: no body, no Content-Type
    res.content_type.clear();
    co_return res;
  }
  // Objects are tenant-supplied bytes: never let a browser sniff or run them.
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Content-Security-Policy", "sandbox");
  if (auto if_range = req.header("if-range");
      range_header && if_range && !http::if_range_matches(*if_range, info.etag))
    range_header.reset();  // the client's partial copy is stale: send the whole object
  http::RangeDecision range;
  if (range_header) range = http::decide_range(*range_header, info.size);
  if (range.outcome == http::RangeOutcome::kUnsatisfiable) {
    http::ApiError err(416, "invalid_request",
                       "range not satisfiable: the object has " + std::to_string(info.size) +
                           " bytes");
    err.with_header("Content-Range", "bytes */" + std::to_string(info.size));
    throw err;
  }
  if (range.outcome == http::RangeOutcome::kPartial) {
    res.status = 206;
    res.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.range.first) + "-" +
                                                  std::to_string(range.range.last) + "/" +
                                                  std::to_string(info.size));
  } else if (info.size == 0) {
    res.content_type = info.content_type;
    co_return res;  // nothing to read
  } else {
    range.range = {0, info.size - 1};
  }
  res.content_type = info.content_type;
  // A body of one piece is read here and sent with the head in one write; a longer one streams.
  if (!head && range.range.length() <= reader->chunk_size()) {
    res.body = co_await reader->read(range.range.first,
                                     static_cast<std::size_t>(range.range.length()));
    if (res.body.size() != range.range.length())
      throw storage::StorageUnavailable("object ended before its size");
  } else {
    res.body_stream = std::make_shared<ObjectBody>(std::move(reader), range.range);
  }
  co_return res;
}

// PUT: the body streamed to storage under the tenant's storage quota. GCC 12 reports Asio's
// coroutine-frame operator new/delete pair as mismatched here (the false positive CMakeLists.txt
// describes); silenced for this function only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<Response> upload(storage::ObjectStorage& storage, UsageReporter& usage,
                                 const tenancy::StorageQuotaDefaults& quotas, Request& req) {
  auto key = checked_key(req.param("key"), false);
  auto content_type = checked_content_type(req);
  const auto& tenant = caller(req);
  // Storage quota: checked against this node's usage figure (usage_reporter.h says
  // how exact it is), before anything is stored. Shrinking is always allowed.
  const auto quota = tenancy::storage_quota(tenant, quotas);
  // The declared length when there is one (checked before a byte is read); a
  // chunked upload is counted as it streams (UploadSource).
  const auto declared = req.content_length();
  const auto existing = co_await stored_size(storage, tenant.id, key);
  const std::int64_t old_size = existing.value_or(0);
  std::optional<std::int64_t> allowed;
  std::string over_quota;
  if (quota >= 0) {
    auto used = co_await usage.storage_bytes(tenant.id);
    if (declared) {
      auto delta = static_cast<std::int64_t>(*declared) - old_size;
      if (delta > 0 && used + delta > quota)
        throw http::QuotaExceeded(quota_message(used, quota, delta));
    } else {
      allowed = std::max<std::int64_t>(quota - used, 0) + old_size;
      over_quota = quota_message(used, quota, -1);
    }
  }
  UploadSource source(req, allowed, std::move(over_quota));
  std::optional<std::uint64_t> expected;
  if (declared) expected = *declared;
  // Backends refuse what a valid key cannot map to (e.g. "a" when "a/b" exists on
  // local disk) with invalid_argument: the client's problem, so a 400.
  std::optional<storage::ObjectInfo> stored;
  std::string refusal;
  try {
    stored = co_await storage.put_stream(tenant.id, key, source, content_type, expected);
  } catch (const std::invalid_argument& e) {
    refusal = e.what();
  }
  if (!stored) throw http::BadRequest("cannot store this key: " + refusal);
  const auto& info = *stored;
  const auto new_size = static_cast<std::int64_t>(info.size);
  if (quota >= 0) usage.add_storage_delta(tenant.id, new_size - old_size);
  else usage.forget_storage_bytes(tenant.id);
  usage.touched(tenant.id);
  // A new object is 201 with its URL (the request's own path); a replaced one 200.
  auto res = http::json_response(existing ? 200 : 201, info_json(info));
  res.headers.emplace_back("ETag", info.etag);
  if (!existing) with_location(res, req.path);
  co_return res;
}
#pragma GCC diagnostic pop

// The route definitions (what is checked before a handler runs, and documented).
http::ParamSpec key_param() {
  return {"key", http::ParamSpec::In::kPath, true, s::string(1),
          "The object key. It may contain slashes, sent as they are or as %2F (\"images/a.png\"). "
          "At most 979 bytes of UTF-8 and 255 per segment; no leading slash, empty, \".\" or "
          "\"..\" segment, backslash, control character or percent-encoded triplet."};
}

http::HeaderSpec header(std::string name, std::string description, bool required = false) {
  return {std::move(name), std::move(description), s::string(1), required};
}

std::vector<http::HeaderSpec> download_headers() {
  return {header("ETag", "The object's entity tag"),
          header("Accept-Ranges", "bytes: ranges are served"),
          header("X-Content-Type-Options", "nosniff"),
          header("Content-Security-Policy", "sandbox: stored bytes never run in a browser")};
}

}  // namespace

void add_files_routes(http::Router& router, storage::ObjectStorage& storage,
                      UsageReporter& usage, tenancy::StorageQuotaDefaults quotas) {
  const auto binary = s::with_description(
      boost::json::object{{"type", "string"}, {"format", "binary"}}, "The object's bytes");
  router.add({.method = "PUT",
              .path = "/v1/files/{key+}",
              .audience = Audience::kTenant,
              .operation_id = "putFile",
              .tag = "files",
              .summary = "Store an object (raw bytes; Content-Type kept)",
              .description = "The body is streamed to storage. The tenant's storage quota is "
                             "checked against Content-Length up front, or as a chunked body "
                             "streams (429 quota_exceeded).",
              .params = {key_param()},
              .body = http::BodySpec{.content_type = "*/*", .schema = binary, .required = false},
              .responses = {{201, "Stored: a new object", "application/json", s::ref("FileInfo"),
                             {header("ETag", "The stored object's entity tag", true),
                              header("Location", "The object's URL", true)}},
                            {200, "Stored: an existing object replaced", "application/json",
                             s::ref("FileInfo"),
                             {header("ETag", "The stored object's entity tag", true)}}},
              .streams_body = true},
             [&storage, &usage, quotas](Request& req) {
               return upload(storage, usage, quotas, req);
             });

  router.add(
      {.method = "GET",
       .path = "/v1/files/{key+}",
       .audience = Audience::kTenant,
       .operation_id = "getFile",
       .tag = "files",
       .summary = "Download an object (or, with ?presign=, a presigned S3 URL for it)",
       .description = "Conditional (If-None-Match → 304) and single-range (Range → 206) "
                      "requests are answered as RFC 9110 says.",
       .params = {key_param(),
                  {"presign", http::ParamSpec::In::kQuery, false, s::integer(1, 604800),
                   "Seconds: answer a presigned URL instead of the bytes (S3 storage only)"},
                  {"If-None-Match", http::ParamSpec::In::kHeader, false, s::string(1),
                   "An ETag from an earlier download: 304 when it still matches"},
                  {"Range", http::ParamSpec::In::kHeader, false, s::string(1),
                   "One byte range (bytes=first-last, first-, -suffix): 206"}},
       .responses =
           // JSON first: tools pick the first media type that matches, and */* matches JSON.
           // A stored object may itself be JSON, so JSON here is the presigned URL or anything.
           {{200, "The object's bytes with their Content-Type, or with ?presign= the URL",
             "application/json",
             s::with_description(
                 boost::json::object{},
                 "With ?presign=: {\"url\": the presigned URL, \"expires_in\": seconds}; "
                 "otherwise the bytes of an object stored with a JSON content type"),
             download_headers(),
             {{"*/*", binary}}},
            {206, "The requested range", "*/*", binary,
             [] {
               auto h = download_headers();
               h.push_back(header("Content-Range", "bytes first-last/size"));
               return h;
             }()},
            {304, "Not modified: the If-None-Match ETag still matches", "", nullptr,
             {header("ETag", "The object's entity tag")}},
            {416, "The range is outside the object", "application/json", s::ref("Error"),
             {header("Content-Range", "bytes */size")}}}},
      [&storage](Request& req) -> asio::awaitable<Response> {
               auto key = checked_key(req.param("key"), false);
               const auto& tenant = caller(req);
               if (auto presign = req.query_param("presign")) {
                 int ttl = 0;
                 auto [end, ec] =
                     std::from_chars(presign->data(), presign->data() + presign->size(), ttl);
                 if (ec != std::errc() || end != presign->data() + presign->size() || ttl < 1 ||
                     ttl > 604800)
                   throw http::BadRequest("presign must be a number of seconds (1..604800)");
                 auto url = storage.presigned_get_url(tenant.id, key, std::chrono::seconds(ttl));
                 if (!url)
                   throw http::BadRequest("presigned URLs need the S3 storage backend");
                 co_return http::json_response(200, boost::json::object{{"url", *url},
                                                                        {"expires_in", ttl}});
               }
               co_return co_await download(storage, req, tenant.id, key);
             });

  router.add({.method = "DELETE",
              .path = "/v1/files/{key+}",
              .audience = Audience::kTenant,
              .operation_id = "deleteFile",
              .tag = "files",
              .summary = "Delete an object",
              .params = {key_param()},
              .responses = {defs::no_content("Deleted")}},
             [&storage, &usage, quotas](Request& req) -> asio::awaitable<Response> {
               auto key = checked_key(req.param("key"), false);
               const auto& tenant = caller(req);
               const bool counted = tenancy::storage_quota(tenant, quotas) >= 0;
               std::int64_t old_size = 0;
               if (counted) old_size = (co_await stored_size(storage, tenant.id, key)).value_or(0);
               bool removed = co_await storage.remove(tenant.id, key);
               if (!removed) throw http::NotFound("object not found");
               if (counted) usage.add_storage_delta(tenant.id, -old_size);
               else usage.forget_storage_bytes(tenant.id);
               usage.touched(tenant.id);
               co_return Response::no_content();
             });

  router.add({.method = "GET",
              .path = "/v1/files",
              .audience = Audience::kTenant,
              .operation_id = "listFiles",
              .tag = "files",
              .summary = "List objects in key order",
              .params = {{"prefix", http::ParamSpec::In::kQuery, false, s::string(),
                          "Only keys starting with this (the key rules apply; a trailing / is "
                          "allowed)"},
                         defs::cursor_query(),
                         defs::limit_query(100, 1000)},
              .responses = {defs::response(200, "A page of objects",
                                       defs::page_of(s::ref("FileInfo")))}},
             [&storage](Request& req) -> asio::awaitable<Response> {
               std::string prefix;
               if (auto p = req.query_param("prefix")) prefix = checked_key(*p, true);
               std::optional<std::string> cursor;
               if (auto c = req.query_param("cursor")) cursor = std::string(*c);
               int limit = http::page_limit(req, 100, 1000);
               storage::ListPage page;
               try {
                 page = co_await storage.list(caller(req).id, prefix, cursor, limit);
               } catch (const storage::InvalidKey& e) {
                 // The backend refused the prefix itself (never the cursor's fault).
                 throw http::BadRequest(std::string("prefix refused: ") + e.what());
               } catch (const std::invalid_argument&) {
                 throw http::BadRequest("cursor is malformed");
               }
               std::vector<std::string> items;
               for (const auto& i : page.items) items.push_back(boost::json::serialize(info_json(i)));
               co_return Response::json(200, list_body(items, page.next_cursor));
             });
}

}  // namespace autoblog::api
