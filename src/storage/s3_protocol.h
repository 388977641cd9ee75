#pragma once
// The S3 wire protocol pieces of S3Storage that need no connection: endpoint parsing, error
// bodies and their mapping to storage errors, date formats, presigned-download overrides, and
// the shapes of requests and list pages. Internal to src/storage/; pure functions, thread-safe.
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "storage/sigv4.h"

namespace autoblog::storage::s3 {

constexpr int kDeleteBatch = 1000;  // DeleteObjects maximum
constexpr std::chrono::seconds kMaxPresignTtl(7 * 24 * 3600);

// Query parameters that make a presigned URL a download of opaque bytes (see the .cpp).
sigv4::Params download_overrides(const std::string& key);

std::string FormatRfc3339(std::time_t t);
// "Wed, 12 Oct 2009 17:50:00 GMT" (HTTP date) -> the API's RFC 3339; "" if unparseable.
std::string HttpDateToRfc3339(const std::string& http_date);
// "2009-10-12T17:50:30.000Z" (S3 XML) -> the API's RFC 3339.
std::string IsoToRfc3339(const std::string& iso);
std::string Quoted(std::string etag);

struct Endpoint {
  std::string scheme;     // "http" | "https"
  std::string authority;  // host[:port] as dialled
  std::string host;       // Host header: authority without a default port
  std::string base_path;  // "" or "/some/prefix" (no trailing '/')
};
// Throws std::invalid_argument unless http(s)://host[:port][/path].
Endpoint ParseEndpoint(const std::string& url);

struct S3Request {
  std::string method;
  std::string path;  // raw, absolute
  sigv4::Params query;
  sigv4::Params headers;  // signed by curl with host, x-amz-date and x-amz-content-sha256
  std::string body;
  // A smaller response cap than S3Options::max_response_bytes (see ResponseTooLarge).
  std::optional<std::size_t> max_response_bytes;
};

// A response over the request's max_response_bytes (a runtime_error, as before it had a type):
// a caller that set a small cap on purpose catches it and takes another way.
struct ResponseTooLarge : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// S3's <Error><Code/><Message/></Error>, when the body has one.
std::pair<std::string, std::string> ErrorCode(const net::HttpResponse& response);
// 5xx -> StorageUnavailable; a key S3 cannot hold -> InvalidKey; else std::runtime_error.
[[noreturn]] void ThrowForStatus(const std::string& method, const net::HttpResponse& response);
// The client's errors in storage terms: outages -> StorageUnavailable, the rest (a response
// too large, a bad request) -> std::runtime_error; cancellation passes through unchanged.
[[noreturn]] void RethrowAsStorageError(const std::exception_ptr& error,
                                        const std::string& method);

struct RawEntry {
  std::string key;  // full S3 key
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;
};

struct RawPage {
  std::vector<RawEntry> entries;
  bool truncated = false;
};

}  // namespace autoblog::storage::s3
