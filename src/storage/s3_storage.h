#pragma once
// S3Storage: the production ObjectStorage, any S3-compatible endpoint (AWS S3, MinIO, s3rver)
// through net::HttpClient (libcurl multi on the io_context: no thread pool, no blocking call).
// Requests are signed by curl (CURLOPT_AWS_SIGV4, "aws:amz:<region>:s3"); our own SigV4 code
// (storage/sigv4.h) only builds presigned GET URLs, which curl cannot.
//
// Objects live at tenants/{tenant_id}/{key} in one bucket. Every PUT sends
// x-amz-server-side-encryption: AES256, x-amz-meta-tenant_id and x-amz-content-sha256 (the
// body's SHA-256, which S3 verifies). put_stream sends a body shorter than one part (5 MiB) as a
// single PUT; a longer one as a multipart upload (CreateMultipartUpload with the SSE and tenant
// headers, UploadPart per 5 MiB part with its own x-amz-content-sha256, CompleteMultipartUpload),
// so at most one part is in memory; on any failure or cancellation the upload is aborted (best
// effort, detached). A multipart object's ETag is S3's "<md5 of part md5s>-<parts>", not the
// body's MD5. Downloads go through the API or presigned URLs, never public URLs.
//
// Semantics that differ from a plain S3 client, on purpose:
//   - remove() does a HEAD first, because S3 answers 204 whether or not the key existed.
//   - list() cursors are base64url of the last key, sent as start-after, not S3's continuation
//     token: the cursor is validated here (garbage -> std::invalid_argument) identically for
//     every backend, and being confined to the tenant's prefix it cannot reach other tenants.
//   - list() items have an empty content_type: ListObjectsV2 does not return it, and a HEAD per
//     item would multiply the cost of a listing.
//   - purge_tenant() lists and multi-deletes (DeleteObjects, 1000 keys per request).
// The credentials need s3:ListBucket as well as object access: without it S3 answers 403, not
// 404, for a missing key.
// Every request has a total deadline (S3Options::timeout, retries included) and retries
// connection failures and 5xx with backoff on the client's asio timer (every request we send is
// idempotent; DeleteObjects is not retried because purge falls back to single deletes).
// Errors: unreachable endpoint, timeouts and 5xx -> StorageUnavailable; other failures (403,
// 400, missing bucket, a response over max_response_bytes) -> std::runtime_error carrying S3's
// error Code; invalid keys / tenant ids -> std::invalid_argument. Cancellation of the awaiting
// coroutine aborts the request in flight (boost::system::system_error, operation_aborted).
// The endpoint is operator configuration, so the client's egress policy is not applied to it.
//
// Thread-safety: all methods may be called concurrently, from any executor. Ownership: the
// HttpClient is borrowed and must outlive this object and every call in flight.
#include <chrono>
#include <cstddef>
#include <memory>

#include "storage/object_storage.h"

namespace autoblog::net {
class HttpClient;
}

namespace autoblog::storage {

struct S3Options {
  std::string endpoint;  // "http://127.0.0.1:4569", "https://s3.eu-west-1.amazonaws.com"
  std::string bucket;
  std::string region;  // signing region ("us-east-1" for s3rver and MinIO defaults)
  std::string access_key;
  std::string secret_key;
  // true: {endpoint}/{bucket}/{key} (MinIO, s3rver); false: {bucket}.{endpoint host}/{key}.
  bool path_style = true;
  // Total time for one storage operation's request, retries included.
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connect_timeout{3000};
  int max_attempts = 3;
  // Largest response accepted (objects are read into memory): above the API's upload limit.
  std::size_t max_response_bytes = 64u << 20;
};

class S3Storage final : public ObjectStorage {
 public:
  // Throws std::invalid_argument for an endpoint that is not http(s)://host[:port][/path] or an
  // empty bucket/region. Does no network I/O.
  S3Storage(S3Options options, net::HttpClient& client);
  ~S3Storage() override;
  S3Storage(const S3Storage&) = delete;
  S3Storage& operator=(const S3Storage&) = delete;

  boost::asio::awaitable<ObjectInfo> put_stream(std::string_view tenant_id, std::string_view key,
                                                BodySource& source, std::string_view content_type,
                                                std::optional<std::uint64_t> expected_size) override;
  boost::asio::awaitable<std::optional<Object>> get(std::string_view tenant_id,
                                                    std::string_view key) override;
  // Ranged GETs of 1 MiB with If-Match (storage/s3_reader.h).
  boost::asio::awaitable<std::unique_ptr<ObjectReader>> open(
      std::string_view tenant_id, std::string_view key,
      std::optional<std::uint64_t> first_offset) override;
  boost::asio::awaitable<bool> remove(std::string_view tenant_id, std::string_view key) override;
  boost::asio::awaitable<ListPage> list(std::string_view tenant_id, std::string_view prefix,
                                        std::optional<std::string> cursor, int limit) override;
  boost::asio::awaitable<void> purge_tenant(std::string_view tenant_id) override;
  boost::asio::awaitable<std::uint64_t> usage_bytes(std::string_view tenant_id) override;
  // SigV4 query-signed GET; ttl is clamped to 1 s .. 7 days (the SigV4 maximum).
  std::optional<std::string> presigned_get_url(std::string_view tenant_id, std::string_view key,
                                               std::chrono::seconds ttl) const override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autoblog::storage
