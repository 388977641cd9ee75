#include "util/file.h"

#include <sys/resource.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

#include "util/random.h"

namespace autoblog::util {

namespace fs = std::filesystem;

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int UniqueFd::close() noexcept {
  if (fd_ < 0) return 0;
  // Linux releases the descriptor even when close fails (EINTR included): never retry.
  const int rc = ::close(std::exchange(fd_, -1));
  return rc == 0 ? 0 : errno;
}

int write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

int fsync_dir(const fs::path& dir) noexcept {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return errno;
  if (::fsync(fd.get()) != 0) return errno;
  return 0;
}

namespace {

[[noreturn]] void fail(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

}  // namespace

bool write_file_atomically(const fs::path& file, std::string_view content, mode_t mode,
                           Replace replace) {
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  const fs::path tmp = dir / (file.filename().string() + ".tmp." + random_hex(8));
  try {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd) fail(errno, "cannot create " + tmp.string());
    // The umask may have removed bits from `mode` (even the owner's read bit).
    if (::fchmod(fd.get(), mode) != 0) fail(errno, "cannot chmod " + tmp.string());
    if (const int err = write_all(fd.get(), content)) fail(err, "cannot write " + tmp.string());
    if (::fsync(fd.get()) != 0) fail(errno, "cannot fsync " + tmp.string());
    if (const int err = fd.close()) fail(err, "cannot close " + tmp.string());

    int err = 0;
    if (replace == Replace::kNo) {
      if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, file.c_str(), RENAME_NOREPLACE) != 0) {
        err = errno;
        if (err == EEXIST) {
          ::unlink(tmp.c_str());
          return false;
        }
        if (err == EINVAL || err == ENOSYS || err == ENOTSUP) err = -1;  // no NOREPLACE here
      }
    }
    if (replace == Replace::kYes || err == -1) {
      err = ::rename(tmp.c_str(), file.c_str()) == 0 ? 0 : errno;
    }
    if (err != 0) fail(err, "cannot rename " + tmp.string() + " to " + file.string());
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (const int err = fsync_dir(dir)) fail(err, "cannot fsync directory " + dir.string());
  return true;
}

std::size_t raise_open_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  return rl.rlim_cur == RLIM_INFINITY ? std::size_t(1) << 20 : static_cast<std::size_t>(rl.rlim_cur);
}

std::optional<std::string> read_small_file(const fs::path& file) noexcept {
  try {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::nullopt;
      if (n == 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  } catch (...) {  // allocation
    return std::nullopt;
  }
}

}  // namespace autoblog::util
