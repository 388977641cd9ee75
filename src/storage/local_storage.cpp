// LocalStorage: objects as files with an embedded metadata header; see local_storage.h for the
// layout and the crash-safety argument.
#include "storage/local_storage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <queue>
#include <system_error>
#include <utility>

#include "storage/blocking_executor.h"
#include "storage/local_object_file.h"
#include "storage/local_tree.h"
#include "storage/object_key.h"
#include "util/crypto.h"
#include "util/file.h"
#include "util/random.h"
#include "util/time.h"

namespace autoblog::storage {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace local;  // the object-file format and tree helpers (local_object_file.h, local_tree.h)

// A streamed upload's temp file: the header is written last (size and ETag are known only at
// the end) into space reserved at the front. The reservation is the header as long as it can
// get for this content type (the largest size, an ETag's fixed length), and the real header is
// padded with spaces to it: JSON allows trailing whitespace, so ReadHeader parses it unchanged
// and files written before streaming read the same.
struct TempUpload {
  fs::path root;
  fs::path target;
  fs::path path;
  Fd fd;
  std::size_t header_size = 0;  // bytes reserved at the front, magic and length included
  bool published = false;

  TempUpload() = default;
  TempUpload(TempUpload&&) = default;
  TempUpload& operator=(TempUpload&&) = default;
  // Nothing half-written survives a failure, a throwing source or a cancelled put.
  ~TempUpload() {
    if (fd && !published) ::unlink(path.c_str());
  }
};

TempUpload BeginPut(const fs::path& root, const std::string& tenant_id, const std::string& key,
                    const std::string& content_type) {
  const fs::path tenant_dir = TenantDir(root, tenant_id);
  const fs::path target = tenant_dir / key;
  if (!CheckInside(tenant_dir, target)) ThrowErrno("resolve path", ENOTDIR);
  for (const auto& part : fs::path(key)) {
    if (part.native().size() > NAME_MAX) ThrowErrno("name", ENAMETOOLONG);
  }
  auto [temp_path, fd] = CreateLockedTemp(TempDir(root));
  TempUpload up;
  up.root = root;
  up.target = target;
  up.path = std::move(temp_path);
  up.fd = std::move(fd);
  // The longest header: an ETag is always '"' + 32 hex + '"', the size at most 20 digits.
  const std::string widest = EncodeHeader(content_type, '"' + std::string(32, '0') + '"',
                                          std::numeric_limits<std::uint64_t>::max());
  up.header_size = widest.size();
  WriteAll(up.fd.get(), std::string(up.header_size, ' '));
  return up;
}

ObjectInfo FinishPut(TempUpload& up, const std::string& key, const std::string& content_type,
                     const std::string& etag, std::uint64_t size) {
  const std::string header = PaddedHeader(content_type, etag, size, up.header_size);
  std::size_t done = 0;
  while (done < header.size()) {
    const ssize_t n = ::pwrite(up.fd.get(), header.data() + done, header.size() - done,
                               static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(up.fd.get()) != 0) ThrowErrno("fsync", errno);
  struct stat st {};
  if (::fstat(up.fd.get(), &st) != 0) ThrowErrno("stat", errno);

  // A concurrent remove() may prune the (momentarily empty) parent between MakeDirs and
  // rename: recreate it and try again.
  for (int attempt = 0;; ++attempt) {
    MakeDirs(up.root, up.target.parent_path());
    if (::rename(up.path.c_str(), up.target.c_str()) == 0) break;
    const int err = errno;
    if (err != ENOENT || attempt == 4) ThrowErrno("rename", err);
  }
  up.published = true;
  FsyncDir(up.target.parent_path());

  Header h;
  h.content_type = content_type;
  h.etag = etag;
  h.size = size;
  return InfoFrom(key, h, st);
}

// An object file opened for reading, its header checked.
struct OpenedObject {
  Fd fd;
  ObjectInfo info;
  off_t body_offset = 0;
};

std::optional<OpenedObject> OpenBlocking(const fs::path& root, const std::string& tenant_id,
                                         const std::string& key) {
  const fs::path tenant_dir = TenantDir(root, tenant_id);
  const fs::path path = tenant_dir / key;
  if (!CheckInside(tenant_dir, path)) return std::nullopt;
  struct stat st {};
  auto fd = OpenObject(path, st);
  if (!fd) return std::nullopt;
  const auto header = ReadHeader(fd->get(), st);
  if (!header) throw StorageUnavailable("local storage: damaged object file");
  return OpenedObject{std::move(*fd), InfoFrom(key, *header, st), header->body_offset};
}

std::optional<Object> GetBlocking(const fs::path& root, const std::string& tenant_id,
                                  const std::string& key) {
  auto opened = OpenBlocking(root, tenant_id, key);
  if (!opened) return std::nullopt;
  Object object;
  object.body.resize(opened->info.size);
  if (!ReadAt(opened->fd.get(), object.body.data(), object.body.size(), opened->body_offset)) {
    throw StorageUnavailable("local storage: damaged object file");
  }
  object.info = std::move(opened->info);
  return object;
}

// Reads of an opened object file: the descriptor pins the version that was opened (a new
// upload renames another file over the path; this one stays as it was until closed).
class LocalReader final : public ObjectReader {
 public:
  LocalReader(OpenedObject opened, boost::asio::thread_pool& pool)
      : fd_(std::move(opened.fd)), body_offset_(opened.body_offset), pool_(pool) {
    info_ = std::move(opened.info);
  }

  boost::asio::awaitable<std::string> read(std::uint64_t offset, std::size_t max) override {
    if (offset >= info_.size) co_return std::string();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(max, info_.size - offset));
    auto job = [fd = fd_.get(), at = body_offset_ + static_cast<off_t>(offset), n]() {
      std::string out(n, '\0');
      if (!ReadAt(fd, out.data(), n, at))
        throw StorageUnavailable("local storage: damaged object file");
      return out;
    };
    co_return co_await run_blocking(pool_, std::move(job));
  }

  // One pool round trip per piece: large enough to amortise it, small enough per download.
  std::size_t chunk_size() const override { return 256u << 10; }

 private:
  Fd fd_;
  off_t body_offset_;
  boost::asio::thread_pool& pool_;
};

// Removes now-empty directories from `dir` up to (not including) `stop`, so a deleted "a/b"
// leaves no folder that would block a later object "a" and listing walks no dead branches.
void PruneEmptyDirs(const fs::path& stop, fs::path dir) {
  while (dir != stop && dir.native().size() > stop.native().size()) {
    if (::rmdir(dir.c_str()) != 0) return;  // not empty (or raced): stop quietly
    dir = dir.parent_path();
  }
}

bool RemoveBlocking(const fs::path& root, const std::string& tenant_id, const std::string& key) {
  const fs::path tenant_dir = TenantDir(root, tenant_id);
  const fs::path path = tenant_dir / key;
  if (!CheckInside(tenant_dir, path)) return false;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    ThrowErrno("stat", errno);
  }
  if (!S_ISREG(st.st_mode)) return false;  // a folder is not an object
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    ThrowErrno("unlink", errno);
  }
  FsyncDir(path.parent_path());
  PruneEmptyDirs(tenant_dir, path.parent_path());
  return true;
}

// Collects the smallest `cap` keys that start with `prefix` and sort after `after`, walking only
// the directories that can hold such keys.
class KeyCollector {
 public:
  KeyCollector(std::string prefix, std::optional<std::string> after, std::size_t cap)
      : prefix_(std::move(prefix)), after_(std::move(after)), cap_(cap) {}

  void walk(const fs::path& dir, const std::string& rel_dir) {
    std::error_code ec;
    // A directory pruned by a concurrent remove() simply has no keys.
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      const fs::file_status st = it->symlink_status(type_ec);
      if (type_ec) continue;
      const std::string rel = rel_dir + it->path().filename().string();
      if (fs::is_directory(st)) {
        const std::string sub = rel + "/";
        if (may_contain(sub)) walk(it->path(), sub);
      } else if (fs::is_regular_file(st)) {
        consider(rel);
      }  // symlinks and special files are never objects
    }
  }

  // Sorted ascending.
  std::vector<std::string> take() {
    std::vector<std::string> keys;
    keys.reserve(heap_.size());
    while (!heap_.empty()) {
      keys.push_back(heap_.top());
      heap_.pop();
    }
    std::reverse(keys.begin(), keys.end());
    return keys;
  }

 private:
  // Whether some key starting with `sub` (which ends in '/') could be listed.
  bool may_contain(const std::string& sub) const {
    const bool prefix_ok =
        sub.compare(0, prefix_.size(), prefix_) == 0 || prefix_.compare(0, sub.size(), sub) == 0;
    if (!prefix_ok) return false;
    // Every key under `sub` is smaller than `after` (after > sub and not under it).
    if (after_ && *after_ > sub && after_->compare(0, sub.size(), sub) != 0) return false;
    // Every key under `sub` is larger than all `cap` keys already kept.
    if (heap_.size() >= cap_ && sub > heap_.top()) return false;
    return true;
  }

  void consider(const std::string& key) {
    if (key.compare(0, prefix_.size(), prefix_) != 0) return;
    if (after_ && key <= *after_) return;
    if (!validate_object_key(key, nullptr)) return;  // not a name we could have written
    if (heap_.size() >= cap_ && key >= heap_.top()) return;
    heap_.push(key);
    if (heap_.size() > cap_) heap_.pop();
  }

  std::string prefix_;
  std::optional<std::string> after_;
  std::size_t cap_;
  std::priority_queue<std::string> heap_;  // max-heap: top is the largest kept key
};

ListPage ListBlocking(const fs::path& root, const std::string& tenant_id, const std::string& prefix,
                      const std::optional<std::string>& after, int limit) {
  const fs::path tenant_dir = TenantDir(root, tenant_id);
  // Start at the deepest folder the prefix names ("img/2026/a" -> img/2026/).
  const std::string start_rel = prefix.substr(0, prefix.rfind('/') + 1);
  const fs::path start_dir =
      start_rel.empty() ? tenant_dir : tenant_dir / start_rel.substr(0, start_rel.size() - 1);
  ListPage page;
  if (!CheckInside(tenant_dir, start_dir, /*allow_equal=*/true)) return page;

  KeyCollector collector(prefix, after, static_cast<std::size_t>(limit) + 1);
  collector.walk(start_dir, start_rel);
  std::vector<std::string> keys = collector.take();

  const std::size_t n = std::min(keys.size(), static_cast<std::size_t>(limit));
  for (std::size_t i = 0; i < n; ++i) {
    struct stat st {};
    auto fd = OpenObject(tenant_dir / keys[i], st);
    if (!fd) continue;  // removed since the walk
    const auto header = ReadHeader(fd->get(), st);
    if (!header) continue;  // not one of ours, or damaged: get() reports it
    page.items.push_back(InfoFrom(keys[i], *header, st));
  }
  if (keys.size() > n) page.next_cursor = encode_list_cursor(keys[n - 1]);
  return page;
}

std::uint64_t UsageBlocking(const fs::path& root, const std::string& tenant_id) {
  std::uint64_t total = 0;
  std::error_code ec;
  const fs::path tenant_dir = TenantDir(root, tenant_id);
  for (fs::recursive_directory_iterator it(tenant_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code type_ec;
    if (!fs::is_regular_file(it->symlink_status(type_ec)) || type_ec) continue;
    struct stat st {};
    auto fd = OpenObject(it->path(), st);
    if (!fd) continue;
    const auto len = ReadHeaderLength(fd->get(), st);
    if (!len) continue;
    total += static_cast<std::uint64_t>(st.st_size) - kPrefixSize - *len;
  }
  return total;
}

void PurgeBlocking(const fs::path& root, const std::string& tenant_id) {
  const fs::path tmp_dir = TempDir(root);
  const fs::path tenant_dir = TenantDir(root, tenant_id);
  const std::string trash_prefix = std::string(kPurgePrefix) + tenant_id + "-";
  // One rename makes every object vanish at once; the slow deletion happens out of sight.
  const fs::path trash = tmp_dir / (trash_prefix + util::random_hex(8));
  if (::rename(tenant_dir.c_str(), trash.c_str()) == 0) {
    FsyncDir(tenant_dir.parent_path());
    FsyncDir(tmp_dir);
  } else if (errno != ENOENT) {
    ThrowErrno("rename tenant directory", errno);
  }
  // Also finish earlier purges of this tenant that were interrupted.
  std::error_code ec;
  for (fs::directory_iterator it(tmp_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind(trash_prefix, 0) != 0) continue;
    std::error_code rm_ec;
    fs::remove_all(it->path(), rm_ec);
    if (rm_ec && rm_ec != std::errc::no_such_file_or_directory) {
      ThrowErrno("delete tenant files", rm_ec.value());
    }
  }
  if (ec) ThrowErrno("list temp directory", ec.value());
}

}  // namespace

LocalStorage::LocalStorage(std::filesystem::path root, boost::asio::thread_pool& pool)
    : pool_(pool) {
  std::error_code ec;
  fs::create_directories(root / "tenants", ec);
  if (!ec) fs::create_directories(TempDir(root), ec);
  if (ec) {
    throw StorageUnavailable("local storage: cannot create " + root.string() + ": " + ec.message());
  }
  root_ = fs::canonical(root);
  SweepTemp(TempDir(root_));
}

// Chunks are gathered to kWriteChunk before each write, so a source that yields small pieces
// (a socket) costs one pool round trip per MiB, not per read; that buffer is the upload's memory.
boost::asio::awaitable<ObjectInfo> LocalStorage::put_stream(std::string_view tenant_id,
                                                            std::string_view key,
                                                            BodySource& source,
                                                            std::string_view content_type,
                                                            std::optional<std::uint64_t> expected_size) {
  constexpr std::size_t kWriteChunk = 1u << 20;
  check_tenant_id(tenant_id);
  const std::string tenant(tenant_id);
  const std::string k = checked_key(key);
  const std::string ct = checked_content_type(content_type);
  util::Md5Stream md5;
  std::uint64_t size = 0;
  // A small object declared up front (an image, a JSON file) gets a buffer its size, not a
  // whole chunk: allocating (and touching) 1 MiB per small put was most of its CPU. The buffer
  // is not zero-filled either; only what the source wrote is read back. One byte more than
  // declared lets the loop see the end without a second round.
  const std::size_t capacity =
      expected_size ? static_cast<std::size_t>(std::min<std::uint64_t>(*expected_size + 1, kWriteChunk))
                    : kWriteChunk;
  auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  const std::span<char> chunk(buffer.get(), capacity);
  // The temp file is opened once the first buffer is full: an object that fits in one buffer
  // (the common case: images, small files) is then written in ONE trip to the file threads
  // (create, write, fsync, rename) instead of three.
  std::optional<TempUpload> up;
  for (bool end = false; !end;) {
    std::size_t filled = 0;
    while (filled < chunk.size()) {
      const std::size_t n = co_await source.read(chunk.subspan(filled));
      if (n == 0) {
        end = true;
        break;
      }
      filled += n;
    }
    const std::string_view piece(chunk.data(), filled);
    md5.update(piece);
    size += filled;
    if (!up && end) {
      const std::string etag = '"' + util::to_hex(md5.finish()) + '"';
      auto whole = [&root = root_, &tenant, &k, &ct, &etag, piece, size]() {
        TempUpload one = BeginPut(root, tenant, k, ct);
        WriteAll(one.fd.get(), piece);
        return FinishPut(one, k, ct, etag, size);
      };
      co_return co_await run_blocking(pool_, whole);
    }
    if (!up) {
      auto begin = [&root = root_, &tenant, &k, &ct]() { return BeginPut(root, tenant, k, ct); };
      TempUpload opened = co_await run_blocking(pool_, begin);
      up.emplace(std::move(opened));
    }
    if (filled == 0) break;
    auto write = [fd = up->fd.get(), piece]() { WriteAll(fd, piece); };
    co_await run_blocking(pool_, write);
  }
  const std::string etag = '"' + util::to_hex(md5.finish()) + '"';
  auto finish = [&up, &k, &ct, &etag, size]() { return FinishPut(*up, k, ct, etag, size); };
  co_return co_await run_blocking(pool_, finish);
}

boost::asio::awaitable<std::optional<Object>> LocalStorage::get(std::string_view tenant_id,
                                                                std::string_view key) {
  check_tenant_id(tenant_id);
  auto job = [root = root_, tenant = std::string(tenant_id), k = checked_key(key)]() {
    return GetBlocking(root, tenant, k);
  };
  co_return co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<std::unique_ptr<ObjectReader>> LocalStorage::open(
    std::string_view tenant_id, std::string_view key, std::optional<std::uint64_t>) {
  check_tenant_id(tenant_id);
  auto job = [root = root_, tenant = std::string(tenant_id), k = checked_key(key)]() {
    return OpenBlocking(root, tenant, k);
  };
  auto opened = co_await run_blocking(pool_, std::move(job));
  if (!opened) co_return nullptr;
  co_return std::make_unique<LocalReader>(std::move(*opened), pool_);
}

boost::asio::awaitable<bool> LocalStorage::remove(std::string_view tenant_id,
                                                  std::string_view key) {
  check_tenant_id(tenant_id);
  auto job = [root = root_, tenant = std::string(tenant_id), k = checked_key(key)]() {
    return RemoveBlocking(root, tenant, k);
  };
  co_return co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<ListPage> LocalStorage::list(std::string_view tenant_id,
                                                    std::string_view prefix,
                                                    std::optional<std::string> cursor, int limit) {
  check_tenant_id(tenant_id);
  if (limit < 1 || limit > 1000) throw std::invalid_argument("limit must be within 1..1000");
  std::optional<std::string> after;
  if (cursor) after = decode_list_cursor(*cursor);
  auto job = [root = root_, tenant = std::string(tenant_id), p = checked_prefix(prefix),
              a = std::move(after), limit]() { return ListBlocking(root, tenant, p, a, limit); };
  co_return co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<void> LocalStorage::purge_tenant(std::string_view tenant_id) {
  check_tenant_id(tenant_id);
  auto job = [root = root_, tenant = std::string(tenant_id)]() { PurgeBlocking(root, tenant); };
  co_await run_blocking(pool_, std::move(job));
}

boost::asio::awaitable<std::uint64_t> LocalStorage::usage_bytes(std::string_view tenant_id) {
  check_tenant_id(tenant_id);
  auto job = [root = root_, tenant = std::string(tenant_id)]() {
    return UsageBlocking(root, tenant);
  };
  co_return co_await run_blocking(pool_, std::move(job));
}

std::optional<std::string> LocalStorage::presigned_get_url(std::string_view tenant_id,
                                                           std::string_view key,
                                                           std::chrono::seconds) const {
  // Same input checks as S3Storage, so callers see one behaviour whatever the backend.
  check_tenant_id(tenant_id);
  (void)checked_key(key);
  return std::nullopt;
}

}  // namespace autoblog::storage
