// Loading, validating and generating the stored secrets; see secrets.h.
#include "app/secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "observability/log.h"
#include "util/file.h"
#include "util/random.h"

namespace autoblog::app {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kAdminTokenBytes = 32;
constexpr std::size_t kJwtSecretBytes = 48;
// The same minimums config validation applies to AUTOBLOG_ADMIN_TOKEN / AUTOBLOG_JWT_SECRET, so a
// hand-written file cannot be weaker than the environment may be.
constexpr std::size_t kMinAdminToken = 16;
constexpr std::size_t kMinJwtSecret = 32;
constexpr std::size_t kMaxSecretFile = 4096;

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

[[noreturn]] void fail(const std::string& message) {
  throw std::runtime_error(message);
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

void ensure_secrets_dir(const fs::path& data_dir, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) fail("cannot create the data dir " + data_dir.string() + ": " + ec.message());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    fail("cannot create " + dir.string() + ": " + errno_text(errno));
  }
  const util::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open directory " + dir.string() + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail("cannot stat " + dir.string() + ": " + errno_text(errno));
  if (st.st_uid != ::geteuid()) {
    fail("refusing to use " + dir.string() + ": it belongs to uid " + std::to_string(st.st_uid) +
         ", not to the current user");
  }
  // An operator may have loosened it by hand; the files are 0600 anyway, but their names and
  // count are nobody else's business either.
  if ((st.st_mode & 077) != 0) {
    if (::fchmod(fd.get(), 0700) != 0) {
      fail("cannot chmod " + dir.string() + " to 0700: " + errno_text(errno));
    }
    observability::log_warn("tightened the secrets directory to mode 0700",
                            {{"path", dir.string()}, {"was", mode_text(st.st_mode)}});
  }
}

// nullopt when the file does not exist. Refuses (throws) anything another user could have read
// or written, rather than silently using a secret that may have leaked.
std::optional<std::string> read_secret(const fs::path& file, std::size_t min_length) {
  const util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail("cannot open secret file " + file.string() + ": " + errno_text(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    fail("cannot stat secret file " + file.string() + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) fail("secret file " + file.string() + " is not a regular file");
  if (st.st_uid != ::geteuid()) {
    fail("refusing secret file " + file.string() + ": it belongs to uid " +
         std::to_string(st.st_uid) + ", not to the current user");
  }
  if ((st.st_mode & 077) != 0) {
    fail("refusing secret file " + file.string() + ": its mode is " + mode_text(st.st_mode) +
         " but it must be 0600 (readable by its owner only); the secret may have leaked, so "
         "replace it, or fix the mode with: chmod 600 " +
         file.string());
  }
  // Read into a plain buffer and trim a view of it: the result is built once, at the end. (A
  // std::string resized and trimmed in place, then moved out, trips GCC 12's -Warray-bounds
  // inside libstdc++.)
  std::array<char, kMaxSecretFile + 1> buf;
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd.get(), buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read secret file " + file.string() + ": " + errno_text(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > kMaxSecretFile) fail("secret file " + file.string() + " is too large");
  // Editors and `echo >` add a newline; surrounding whitespace is never part of a secret.
  std::string_view text(buf.data(), got);
  const auto last = text.find_last_not_of(" \t\r\n");
  text = text.substr(0, last == std::string_view::npos ? 0 : last + 1);
  const auto first = text.find_first_not_of(" \t\r\n");
  text.remove_prefix(first == std::string_view::npos ? text.size() : first);
  if (text.size() < min_length) {
    fail("secret file " + file.string() + " holds " + std::to_string(text.size()) +
         " characters; at least " + std::to_string(min_length) + " are required");
  }
  return std::optional<std::string>(std::in_place, text);
}

// Writes a fresh secret to `file` unless another process got there first; returns the value
// now in the file and whether it is ours.
std::pair<std::string, bool> create_secret(const fs::path& file, std::size_t nbytes,
                                           std::size_t min_length) {
  const std::string value = util::random_hex(nbytes);
  // Replace::kNo: two processes starting together on a fresh data dir must end up with one
  // secret; a plain rename would let the second silently replace the token the first handed out.
  if (!util::write_file_atomically(file, value + "\n", 0600, util::Replace::kNo)) {
    auto existing = read_secret(file, min_length);
    if (!existing) fail("secret file " + file.string() + " vanished while being created");
    return {*existing, false};
  }
  observability::log_info("generated a secret", {{"file", file.string()}});
  return {value, true};
}

std::pair<std::string, bool> load_or_create(const fs::path& dir, const char* name,
                                            std::size_t nbytes, std::size_t min_length) {
  const fs::path file = dir / name;
  if (auto stored = read_secret(file, min_length)) return {*stored, false};
  return create_secret(file, nbytes, min_length);
}

}  // namespace

Secrets load_or_create_secrets(const fs::path& data_dir, const std::string& admin_token_from_env,
                               const std::string& jwt_secret_from_env) {
  Secrets secrets;
  secrets.admin_token = admin_token_from_env;
  secrets.jwt_secret = jwt_secret_from_env;
  if (!secrets.admin_token.empty() && !secrets.jwt_secret.empty()) return secrets;

  const fs::path dir = data_dir / "secrets";
  ensure_secrets_dir(data_dir, dir);
  if (secrets.admin_token.empty()) {
    auto [value, generated] = load_or_create(dir, "admin_token", kAdminTokenBytes, kMinAdminToken);
    secrets.admin_token = std::move(value);
    secrets.admin_token_generated = generated;
  }
  if (secrets.jwt_secret.empty()) {
    secrets.jwt_secret = load_or_create(dir, "jwt_secret", kJwtSecretBytes, kMinJwtSecret).first;
  }
  return secrets;
}

}  // namespace autoblog::app
