#pragma once
// POSIX file helpers for code that must survive a crash: an owning file descriptor, complete
// writes, fsync of a directory (so a new or renamed entry is durable), and an atomic
// write-to-temp-then-rename of a whole small file.
// Low-level calls return 0 or an errno value instead of throwing, because every caller maps
// errors to its own exception type (storage::StorageUnavailable, a configuration error, ...).
// Thread-safety: UniqueFd is a value type (one owner); the functions share no state.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace autoblog::util {

// Owns a file descriptor; closing it also releases any flock held through it. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  // Closes the current descriptor (ignoring errors) and owns `fd` instead.
  void reset(int fd = -1) noexcept;
  // Closes now and reports close()'s result: 0 or errno. A writer must check it, because NFS and
  // some other filesystems report a failed delayed write only here.
  [[nodiscard]] int close() noexcept;

 private:
  int fd_ = -1;
};

// Writes all of `data`, retrying short writes and EINTR. 0 or errno.
[[nodiscard]] int write_all(int fd, std::string_view data) noexcept;

// fsync of the directory itself, which makes entries created, renamed or removed in it durable.
// 0 or errno.
[[nodiscard]] int fsync_dir(const std::filesystem::path& dir) noexcept;

enum class Replace { kYes, kNo };

// Makes `file` hold exactly `content`, atomically: a reader sees the old file (or none) or the
// whole new one, never a part, even across a crash. Writes a uniquely named temp file next to
// it (O_EXCL, mode `mode` regardless of the umask), fsyncs and closes it, renames it over
// `file`, and fsyncs the directory. With Replace::kNo an existing `file` is left alone and
// false is returned (RENAME_NOREPLACE, so two racing writers cannot both win; on a filesystem
// without it, a plain rename, which is still atomic but not exclusive). Returns true when the
// new content is in place. Throws std::system_error naming the step and path on any I/O error;
// the temp file is removed then.
bool write_file_atomically(const std::filesystem::path& file, std::string_view content, mode_t mode,
                           Replace replace = Replace::kYes);

// The whole content of a small file, or nullopt on any error. For /proc files of processes that
// may exit at any moment: reading one that vanished fails with ESRCH, which std::ifstream turns
// into an exception from inside its buffer.
std::optional<std::string> read_small_file(const std::filesystem::path& file) noexcept;

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force (a large
// number for "unlimited"). A server holds a descriptor per connection.
std::size_t raise_open_file_limit();

}  // namespace autoblog::util
