#pragma once
// LocalStorage: the embedded-mode ObjectStorage, objects as files under a root directory
// ($AUTOBLOG_DATA_DIR/storage).
//
// Layout:
//   root/tenants/{tenant_id}/{key}   one file per object (the key's '/' are directories)
//   root/.tmp/                       uploads in progress and purged tenants being deleted
// Each object file starts with a small header (magic, length, JSON {content_type, etag, size})
// followed by the body. Why not a sidecar: the data and its metadata must appear together, and
// one rename() publishes one file atomically, whereas a sidecar needs two renames (a crash
// between them leaves a body with the wrong content type) and xattrs are missing on some
// filesystems (tmpfs before Linux 6.6, some container overlays). The ETag is the quoted hex MD5
// of the body, the same value S3 returns for a single-part upload; last_modified is the file's
// mtime.
//
// Streaming: put_stream writes the body as it arrives (1 MiB at a time, each write on the pool),
// computing the MD5 incrementally; the header, known only at the end, is written into space
// reserved before the body and padded with spaces (valid JSON whitespace), so the format is the
// one files have always had.
// Atomic writes: the body goes to a temp file in root/.tmp, is fsync'd, renamed over the target,
// and the target's directory is fsync'd. A crash (even kill -9) mid-upload leaves at most a temp
// file, never a partial object; temp files live outside tenants/ and are never listed. Temp
// files are flock'ed by their writer, so the start-up sweep removes exactly the abandoned ones,
// even while another process (the CLI beside a running server) uses the same root.
// purge_tenant first renames the tenant's tree into root/.tmp (the objects vanish at once), then
// deletes it.
//
// Paths are built only from validated keys and canonical tenant ids; as a second line of
// defence every path is checked (std::filesystem::weakly_canonical, so symlinks are resolved) to
// stay inside root/tenants/{tenant_id}/. A key whose path collides with another object's
// directory ("a" vs "a/b") or whose segment exceeds the filesystem's 255-byte name limit is
// refused with std::invalid_argument; S3 has no such limits. Other I/O failures (disk full,
// permissions) throw StorageUnavailable.
//
// Thread-safety: all methods may be called concurrently; blocking file I/O runs on the given
// thread pool via run_blocking, never on the caller's I/O thread. Concurrent puts of one key are
// last-rename-wins, each complete. The constructor does blocking I/O (creates the layout, sweeps
// stale temp files): build it at start-up. The pool is borrowed and must outlive this object.
#include <boost/asio/thread_pool.hpp>
#include <filesystem>

#include "storage/object_storage.h"

namespace autoblog::storage {

class LocalStorage final : public ObjectStorage {
 public:
  LocalStorage(std::filesystem::path root, boost::asio::thread_pool& pool);

  boost::asio::awaitable<ObjectInfo> put_stream(std::string_view tenant_id, std::string_view key,
                                                BodySource& source, std::string_view content_type,
                                                std::optional<std::uint64_t> expected_size) override;
  boost::asio::awaitable<std::optional<Object>> get(std::string_view tenant_id,
                                                    std::string_view key) override;
  // The reader keeps the object file open (one descriptor per download in progress).
  boost::asio::awaitable<std::unique_ptr<ObjectReader>> open(
      std::string_view tenant_id, std::string_view key,
      std::optional<std::uint64_t> first_offset) override;
  boost::asio::awaitable<bool> remove(std::string_view tenant_id, std::string_view key) override;
  boost::asio::awaitable<ListPage> list(std::string_view tenant_id, std::string_view prefix,
                                        std::optional<std::string> cursor, int limit) override;
  boost::asio::awaitable<void> purge_tenant(std::string_view tenant_id) override;
  boost::asio::awaitable<std::uint64_t> usage_bytes(std::string_view tenant_id) override;
  // Local files have no URL of their own: downloads go through the API.
  std::optional<std::string> presigned_get_url(std::string_view tenant_id, std::string_view key,
                                               std::chrono::seconds ttl) const override;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  // canonical
  boost::asio::thread_pool& pool_;
};

}  // namespace autoblog::storage
