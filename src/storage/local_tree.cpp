// The directory tree of LocalStorage: paths, containment checks and the durable file
// operations (fsync'd directories, locked temp files, the start-up sweep).
#include "storage/local_tree.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include "storage/object_storage.h"
#include "util/random.h"
#include "util/time.h"

namespace autoblog::storage::local {

namespace fs = std::filesystem;

void FsyncDir(const fs::path& dir) {
  if (const int err = util::fsync_dir(dir)) ThrowErrno("fsync directory", err);
}

void WriteAll(int fd, std::string_view data) {
  if (const int err = util::write_all(fd, data)) ThrowErrno("write", err);
}

std::string Rfc3339(const struct timespec& t) {
  const auto since_epoch = std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
  return util::format_rfc3339(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch)));
}

// Opens a regular file for reading without following a final symlink; nullopt if there is no
// object at that path (missing, a directory, a symlink, or a file where a folder was expected).
std::optional<Fd> OpenObject(const fs::path& path, struct stat& st) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return std::nullopt;
    ThrowErrno("open", errno);
  }
  if (::fstat(fd.get(), &st) != 0) ThrowErrno("stat", errno);
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  return fd;
}

// The second line of defence: `path` (symlinks resolved) must lie inside `base` — strictly
// inside unless allow_equal. Returns false when the path cannot exist (a file where a folder is
// expected), throws std::invalid_argument when it would escape.
bool CheckInside(const fs::path& base, const fs::path& path, bool allow_equal) {
  std::error_code ec;
  const fs::path canonical_base = fs::weakly_canonical(base, ec);
  if (ec) {
    if (ec == std::errc::not_a_directory) return false;
    ThrowErrno("resolve path", ec.value());
  }
  const fs::path full = fs::weakly_canonical(path, ec);
  if (ec) {
    if (ec == std::errc::not_a_directory) return false;
    ThrowErrno("resolve path", ec.value());
  }
  const auto [b, f] =
      std::mismatch(canonical_base.begin(), canonical_base.end(), full.begin(), full.end());
  if (b != canonical_base.end() || (f == full.end() && !allow_equal)) {
    throw std::invalid_argument("object path escapes the tenant's directory");
  }
  return true;
}

fs::path TenantDir(const fs::path& root, std::string_view tenant_id) {
  return root / "tenants" / std::string(tenant_id);
}

fs::path TempDir(const fs::path& root) {
  return root / ".tmp";
}

// Creates the directories from `root` (which exists) down to `dir`, fsyncing each new one's
// parent so the directory entries survive a crash along with the object.
void MakeDirs(const fs::path& root, const fs::path& dir) {
  fs::path current = root;
  const fs::path rel = dir.lexically_relative(root);
  for (const auto& part : rel) {
    const fs::path parent = current;
    current /= part;
    if (::mkdir(current.c_str(), 0750) == 0) {
      FsyncDir(parent);
      continue;
    }
    const int err = errno;
    if (err != EEXIST) ThrowErrno("create directory", err);
    struct stat st {};
    if (::stat(current.c_str(), &st) != 0) ThrowErrno("stat directory", errno);
    if (!S_ISDIR(st.st_mode)) ThrowErrno("create directory", ENOTDIR);
  }
}

// A uniquely named temp file in root/.tmp, open for writing and flock'ed for as long as the
// returned Fd lives (the start-up sweep skips locked files).
std::pair<fs::path, Fd> CreateLockedTemp(const fs::path& tmp_dir) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    fs::path path = tmp_dir / (util::random_hex(16) + std::string(kTempSuffix));
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!fd) {
      if (errno == EEXIST) continue;
      ThrowErrno("create temp file", errno);
    }
    if (::flock(fd.get(), LOCK_EX) != 0) ThrowErrno("lock temp file", errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) ThrowErrno("stat temp file", errno);
    // Another process's sweep may have unlinked it between our open() and flock().
    if (st.st_nlink == 0) continue;
    return {std::move(path), std::move(fd)};
  }
  throw StorageUnavailable("local storage: could not create a temp file");
}

// Removes abandoned uploads (their writer's flock is gone with the process) and leftovers of
// interrupted purges. Errors are ignored: a file we cannot remove now is retried next start.
void SweepTemp(const fs::path& tmp_dir) {
  std::error_code ec;
  for (fs::directory_iterator it(tmp_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    const fs::file_status st = it->symlink_status(type_ec);
    if (type_ec) continue;
    if (fs::is_directory(st)) {
      if (it->path().filename().string().rfind(kPurgePrefix, 0) == 0) {
        std::error_code rm_ec;
        fs::remove_all(it->path(), rm_ec);
      }
      continue;
    }
    Fd fd(::open(it->path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) continue;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) ::unlink(it->path().c_str());
  }
}

ObjectInfo InfoFrom(std::string key, const Header& h, const struct stat& st) {
  ObjectInfo info;
  info.key = std::move(key);
  info.size = h.size;
  info.etag = h.etag;
  info.content_type = h.content_type;
  info.last_modified = Rfc3339(st.st_mtim);
  return info;
}

}  // namespace autoblog::storage::local
