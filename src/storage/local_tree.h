#pragma once
// The directory tree of LocalStorage (internal to src/storage/): where a tenant's objects and
// the temp files live, the containment check every path passes, and the file operations that
// make a write survive a crash (fsync'd directories, flock'ed temp files and the start-up sweep
// that removes abandoned ones). Errors throw StorageUnavailable or InvalidKey through
// ThrowErrno (local_object_file.h). Free functions over paths and descriptors: thread-safe.
#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "storage/local_object_file.h"
#include "util/file.h"

namespace autoblog::storage {
struct ObjectInfo;
}

namespace autoblog::storage::local {

inline constexpr std::string_view kTempSuffix = ".part";   // uploads in progress in .tmp/
inline constexpr std::string_view kPurgePrefix = "purge-";  // tenant trees being deleted

// Closing also releases its flock.
using Fd = util::UniqueFd;

void FsyncDir(const std::filesystem::path& dir);
void WriteAll(int fd, std::string_view data);
std::string Rfc3339(const struct timespec& t);

// A regular file opened for reading without following a final symlink; nullopt when there is
// no object at that path (missing, a directory, a symlink, a file where a folder was expected).
std::optional<Fd> OpenObject(const std::filesystem::path& path, struct stat& st);

// `path` (symlinks resolved) lies inside `base` — strictly inside unless allow_equal. False
// when the path cannot exist; throws std::invalid_argument when it would escape.
bool CheckInside(const std::filesystem::path& base, const std::filesystem::path& path,
                 bool allow_equal = false);

std::filesystem::path TenantDir(const std::filesystem::path& root, std::string_view tenant_id);
std::filesystem::path TempDir(const std::filesystem::path& root);

// Creates the directories from `root` (which exists) down to `dir`, fsyncing each new one's
// parent.
void MakeDirs(const std::filesystem::path& root, const std::filesystem::path& dir);

// A uniquely named temp file in `tmp_dir`, open for writing and flock'ed while the Fd lives.
std::pair<std::filesystem::path, Fd> CreateLockedTemp(const std::filesystem::path& tmp_dir);

// Removes abandoned uploads and leftovers of interrupted purges (errors ignored).
void SweepTemp(const std::filesystem::path& tmp_dir);

ObjectInfo InfoFrom(std::string key, const Header& h, const struct stat& st);

}  // namespace autoblog::storage::local
