#pragma once
// AWS Signature Version 4 (the S3 flavour) built on OpenSSL: hashing, canonical requests,
// Authorization headers and presigned query-string URLs.
//
// Only presigned GET URLs use this in production: S3Storage signs its own requests with curl's
// CURLOPT_AWS_SIGV4 (net/http_client.h), but curl cannot presign a URL. The header-signing
// functions stay because the presigned flavour is built from them and because the tests check
// both against AWS's documented examples (tests/unit/sigv4_test.cpp). Hashes and HMAC come from
// util/crypto.h.
//
// S3 rules followed here: the path is URI-encoded exactly once ('/' kept) and not normalised;
// query names and values are URI-encoded and sorted; header names are lower-cased, values
// trimmed with inner runs of spaces collapsed, and every header passed in is signed.
// Pure functions, no shared state: thread-safe. Results are owned by the caller.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoblog::storage::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string, the payload hash of every body-less request.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string region;
  std::string service = "s3";
};

using Params = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // raw (not encoded) absolute path, e.g. "/bucket/tenants/x/a b.png"
  Params query;        // raw names and values; order does not matter
  Params headers;      // every header to sign; must include "host" (any case)
  std::string payload_sha256 = std::string(kEmptyPayloadSha256);  // hex, or UNSIGNED-PAYLOAD
};

// AWS URI encoding: every byte except A-Z a-z 0-9 '-' '_' '.' '~' becomes %XX (uppercase hex);
// '/' is kept only when keep_slash (paths), encoded otherwise (query values).
std::string uri_encode(std::string_view s, bool keep_slash);
// The query string exactly as signed and as it must be sent: encoded, sorted, '&'-joined.
std::string canonical_query_string(const Params& query);

// "20130524T000000Z" and "20130524" for a point in time (UTC).
std::string amz_date(std::chrono::system_clock::time_point t);
inline std::string date_stamp(std::string_view amz_date) {
  return std::string(amz_date.substr(0, 8));
}

// "host;range;x-amz-date" (lower-case, sorted).
std::string signed_headers(const Request& request);
std::string canonical_request(const Request& request);
// "20130524/us-east-1/s3/aws4_request"
std::string credential_scope(const Credentials& credentials, std::string_view amz_date);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
// Raw signing key: HMAC chain over "AWS4"+secret, date, region, service, "aws4_request".
std::string signing_key(const Credentials& credentials, std::string_view date_stamp);
// Lowercase hex signature of a request at `amz_date` (which the request must also carry, as the
// x-amz-date header or the X-Amz-Date query parameter).
std::string signature(const Credentials& credentials, const Request& request,
                      std::string_view amz_date);
// The Authorization header value:
// "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=...,
// Signature=...".
std::string authorization_header(const Credentials& credentials, const Request& request,
                                 std::string_view amz_date);

// A presigned GET URL: `base` is "scheme://host[:port]" as the client will dial it, `host` the
// Host header value the client will send (usually base without the scheme), `path` raw.
// Signs only the host header with UNSIGNED-PAYLOAD, as S3 presigned URLs do. `extra_query`
// (raw names and values, e.g. response-content-disposition) is signed with the rest.
std::string presign_get_url(const Credentials& credentials, std::string_view base,
                            std::string_view host, std::string_view path, std::string_view amz_date,
                            std::chrono::seconds expires, const Params& extra_query = {});

}  // namespace autoblog::storage::sigv4
