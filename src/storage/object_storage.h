#pragma once
// The seed's TenantStorageManager: tenant object storage under tenants/{tenant_id}/{key}
// (docs/architecture.md). Keys are validated by storage/object_key.h before any backend sees them.
// Backends: LocalStorage (files under $AUTOBLOG_DATA_DIR/storage, atomic writes) and S3Storage
// (SigV4, SSE AES256, x-amz-meta-tenant_id). Blocking work runs on a dedicated thread pool, never
// on an I/O thread. Implementations are thread-safe.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace autoblog::storage {

struct ObjectInfo {
  std::string key;           // the tenant-relative key (without tenants/{id}/)
  std::uint64_t size = 0;
  std::string etag;          // quoted, as in HTTP: "\"<hex>\""
  std::string content_type;  // as given at upload ("application/octet-stream" if none)
  std::string last_modified; // RFC 3339 UTC
};

struct Object {
  ObjectInfo info;
  std::string body;
};

struct ListPage {
  std::vector<ObjectInfo> items;              // sorted by key
  std::optional<std::string> next_cursor;     // opaque
};

// Where an upload's bytes come from, a chunk at a time (the HTTP request body as it arrives, or
// a string). read() fills at most out.size() bytes and returns how many; 0 means the end. It may
// throw (the client went away, the body was malformed, cancellation): the put then stores
// nothing. Not thread-safe; one put reads it, from the put's coroutine.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual boost::asio::awaitable<std::size_t> read(std::span<char> out) = 0;
};

// A BodySource over bytes already in memory (the old whole-body put, tests).
class StringBodySource final : public BodySource {
 public:
  explicit StringBodySource(std::string body) : body_(std::move(body)) {}
  boost::asio::awaitable<std::size_t> read(std::span<char> out) override;

 private:
  std::string body_;
  std::size_t offset_ = 0;
};

// An object opened for reading by range (downloads that stream, Range requests): its metadata
// as of the open, and its bytes a piece at a time, so that no caller ever holds a whole large
// object. Every read returns bytes of the version that was opened, or throws: local storage
// keeps the opened file (a replacement renames a new file over the path, the open one is
// unchanged); S3 sends If-Match with the opened ETag and checks the ETag of every answer.
// Not thread-safe: one reader belongs to one coroutine (a download).
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  const ObjectInfo& info() const { return info_; }
  // Up to `max` bytes from `offset` (< info().size), fewer only at the end of the object.
  // Throws StorageUnavailable when the backend fails or the object changed since the open.
  virtual boost::asio::awaitable<std::string> read(std::uint64_t offset, std::size_t max) = 0;
  // The piece size a caller streaming the object should ask for (one file read, one GET).
  virtual std::size_t chunk_size() const = 0;

 protected:
  ObjectInfo info_;
};

class ObjectStorage {
 public:
  virtual ~ObjectStorage() = default;
  // Stores the object read from `source` to its end, atomically: a reader sees the old object
  // or the whole new one, and a source that throws (or a cancelled put) leaves nothing behind.
  // Memory use is bounded by the backend's chunk (local: 1 MiB) or part size (S3: 5 MiB),
  // whatever the object's size. `expected_size` (the declared Content-Length) lets a backend
  // choose its strategy up front; the bytes actually read are what is stored.
  virtual boost::asio::awaitable<ObjectInfo> put_stream(std::string_view tenant_id,
                                                        std::string_view key, BodySource& source,
                                                        std::string_view content_type,
                                                        std::optional<std::uint64_t> expected_size) = 0;
  // put_stream of bytes in memory: the same code path.
  boost::asio::awaitable<ObjectInfo> put(std::string_view tenant_id, std::string_view key,
                                         std::string body, std::string_view content_type);
  virtual boost::asio::awaitable<std::optional<Object>> get(std::string_view tenant_id,
                                                            std::string_view key) = 0;
  // Opens `key` for reading by range; nullptr when there is no such object. `first_offset`,
  // when the caller knows where it will start reading, lets a backend fetch the first piece in
  // the same round trip as the metadata (S3: one ranged GET instead of a HEAD and a GET);
  // without it only the metadata is fetched (HEAD requests, conditional requests, suffix
  // ranges). The default implementation reads the whole object with get(), for backends that
  // have no ranged reads (test doubles).
  virtual boost::asio::awaitable<std::unique_ptr<ObjectReader>> open(
      std::string_view tenant_id, std::string_view key,
      std::optional<std::uint64_t> first_offset);
  // False when there was nothing to delete.
  virtual boost::asio::awaitable<bool> remove(std::string_view tenant_id, std::string_view key) = 0;
  // Keys starting with `prefix` (already validated, may be empty), at most `limit` (1..1000).
  // Throws std::invalid_argument for a malformed cursor.
  virtual boost::asio::awaitable<ListPage> list(std::string_view tenant_id, std::string_view prefix,
                                                std::optional<std::string> cursor, int limit) = 0;
  // Deletes every object of the tenant (tenant deletion).
  virtual boost::asio::awaitable<void> purge_tenant(std::string_view tenant_id) = 0;
  // Total bytes stored by the tenant (resource usage metric).
  virtual boost::asio::awaitable<std::uint64_t> usage_bytes(std::string_view tenant_id) = 0;
  // A time-limited GET URL (S3: SigV4 query signing); nullopt when the backend has none.
  virtual std::optional<std::string> presigned_get_url(std::string_view tenant_id,
                                                       std::string_view key,
                                                       std::chrono::seconds ttl) const = 0;
};

// A key or prefix the storage cannot hold: refused by object_key.h, or by the backend itself
// (S3 KeyTooLong/InvalidArgument, ENAMETOOLONG, a key that collides with a folder) — the
// client's input, so the API answers 400. An invalid_argument, so older catch sites still see it.
struct InvalidKey : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Backend errors (unreachable S3, disk full) — the API answers 503.
struct StorageUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace autoblog::storage
