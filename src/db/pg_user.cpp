#include "db/pg_user.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "db/pg_programs.h"
#include "observability/log.h"
#include "util/file.h"

namespace autoblog::db::pg_programs {

namespace fs = std::filesystem;
namespace obs = autoblog::observability;

namespace {

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool can_search(const struct stat& st, const PgUser& user) {
  if (st.st_uid == user.uid) return (st.st_mode & S_IXUSR) != 0;
  if (std::find(user.groups.begin(), user.groups.end(), st.st_gid) != user.groups.end()) {
    return (st.st_mode & S_IXGRP) != 0;
  }
  return (st.st_mode & S_IXOTH) != 0;
}

}  // namespace

PgUser lookup_pg_user() {
  PgUser user;
  if (::geteuid() != 0) return user;
  struct passwd pwd {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r("postgres", &pwd, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    fail(
        "running as root, but there is no `postgres` system user to run PostgreSQL as (initdb "
        "refuses to run as root); install the postgresql package or run autoblog as a normal "
        "user");
  }
  user.active = true;
  user.uid = pwd.pw_uid;
  user.gid = pwd.pw_gid;
  int count = 32;
  for (int attempt = 0; attempt < 4; ++attempt) {
    user.groups.resize(static_cast<std::size_t>(count));
    if (::getgrouplist("postgres", pwd.pw_gid, user.groups.data(), &count) >= 0) break;
    count = std::max(count, static_cast<int>(user.groups.size()) * 2);
  }
  user.groups.resize(static_cast<std::size_t>(std::max(count, 0)));
  return user;
}

void make_data_dir_reachable(const fs::path& data_dir, const PgUser& user) {
  for (fs::path p = data_dir.parent_path();; p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) fail("cannot stat " + p.string() + ": " + errno_text(errno));
    if (!can_search(st, user)) {
      fail(
          "PostgreSQL runs as the `postgres` system user (initdb refuses root), which cannot "
          "enter " +
          p.string() + " (mode " + mode_text(st.st_mode) + ", owner uid " +
          std::to_string(st.st_uid) + "), a parent of the data dir " + data_dir.string() +
          "; choose a --data-dir outside it (e.g. under /var/lib or /srv) or allow passage "
          "with: chmod o+x " +
          p.string());
    }
    if (p == p.parent_path()) break;
  }
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0) {
    fail("cannot stat " + data_dir.string() + ": " + errno_text(errno));
  }
  if (can_search(st, user)) return;
  // A private data dir of ours (e.g. made by mkdtemp, mode 0700): let the postgres group pass
  // through. Group-only search permission grants nobody else anything and lists nothing; other
  // users stay locked out of secrets/ and storage/.
  if (st.st_uid == ::geteuid() && (st.st_mode & S_IRWXG) == 0) {
    if (::chown(data_dir.c_str(), static_cast<uid_t>(-1), user.gid) != 0 ||
        ::chmod(data_dir.c_str(), (st.st_mode & 07777) | S_IXGRP) != 0) {
      fail("cannot give the postgres group search access to " + data_dir.string() + ": " +
           errno_text(errno));
    }
    obs::log_info("gave the postgres group search access to the data dir",
                  {{"data_dir", data_dir.string()}});
    return;
  }
  fail("the `postgres` system user cannot enter the data dir " + data_dir.string() + " (mode " +
       mode_text(st.st_mode) + ", owner uid " + std::to_string(st.st_uid) +
       "); allow it with: chmod o+x " + data_dir.string());
}

void prepare_private_dir(const std::string& dir, const PgUser& user) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    fail("cannot create " + dir + ": " + errno_text(errno));
  }
  // Work on an fd opened without following a symlink, so nobody can swap the path between the
  // check and the chown (the /tmp fallback lives in a world-writable directory).
  const util::UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd) fail("cannot open directory " + dir + ": " + errno_text(errno));
  const int fd = dir_fd.get();
  struct stat st {};
  std::string problem;
  const uid_t want = user.active ? user.uid : ::geteuid();
  if (::fstat(fd, &st) != 0) {
    problem = "cannot stat it: " + errno_text(errno);
  } else if (st.st_uid != want && !(user.active && st.st_uid == 0)) {
    problem = "it belongs to uid " + std::to_string(st.st_uid) + ", not to the server's uid " +
              std::to_string(want) + "; remove it";
  } else if (st.st_uid != want && ::fchown(fd, user.uid, user.gid) != 0) {
    problem = "cannot chown it to postgres: " + errno_text(errno);
  } else if ((st.st_mode & 077) != 0 && ::fchmod(fd, 0700) != 0) {
    problem = "cannot chmod it to 0700: " + errno_text(errno);
  }
  if (!problem.empty()) fail("refusing to use directory " + dir + ": " + problem);
}

}  // namespace autoblog::db::pg_programs
