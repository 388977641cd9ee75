// Embedded PostgreSQL cluster: initdb, start/attach/adopt, stop. See embedded_postgres.h.
#include "db/embedded_postgres.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "db/pg_programs.h"
#include "db/pg_user.h"
#include "observability/log.h"
#include "util/crypto.h"
#include "util/file.h"

namespace autoblog::db {
namespace {

using namespace pg_programs;

namespace fs = std::filesystem;
namespace obs = autoblog::observability;
using Clock = std::chrono::steady_clock;

constexpr int kPort = 5432;
// sun_path holds 108 bytes including the NUL; stay well below it.
constexpr std::size_t kMaxSocketPath = 100;
constexpr std::string_view kSocketName = "/.s.PGSQL.5432";
// The server appends to one log file forever; start a fresh one past this size.
constexpr std::uintmax_t kMaxLogBytes = 16u << 20;
// How long to wait for a cluster that another live process is starting (initdb + pg_ctl's 60 s).
constexpr auto kAttachTimeout = std::chrono::seconds(90);
constexpr auto kReadyTimeout = std::chrono::seconds(60);
constexpr auto kExitTimeout = std::chrono::seconds(10);

// The last `max_lines` non-empty lines of `text` joined with " | ": error messages stay on one
// line (main prints them as one) but still show what PostgreSQL said.
std::string one_line_tail(std::string_view text, std::size_t max_lines = 4) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  const std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
  std::string out;
  for (std::size_t i = first; i < lines.size(); ++i) {
    if (!out.empty()) out += " | ";
    out += lines[i];
  }
  if (out.size() > 1000) out = "..." + out.substr(out.size() - 1000);
  return out.empty() ? "(no output)" : out;
}

// Bytes of `file` from `offset` on (at most the last 16 KiB); empty if unreadable.
std::string read_file_from(const fs::path& file, std::uintmax_t offset) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uintmax_t>(std::max<std::streamoff>(in.tellg(), 0));
  if (offset > size) offset = 0;  // the file was replaced
  offset = std::max<std::uintmax_t>(offset, size > 16384 ? size - 16384 : 0);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string data(size - offset, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return data;
}

std::uintmax_t file_size_or_zero(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  return ec ? 0 : size;
}

// For pg_ctl's -o string, which pg_ctl hands to /bin/sh.
std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A libpq keyword value: plain when possible (the usual "host=/x/pg/run"), else single-quoted
// with backslash escapes as libpq's conninfo parser expects.
std::string conninfo_value(std::string_view v) {
  const bool plain = !v.empty() && v.find_first_of(" \t\n\r\f\v'\\") == std::string_view::npos;
  if (plain) return std::string(v);
  std::string out = "'";
  for (const char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string short_hash(std::string_view text) {
  return util::sha256_hex(text).substr(0, 16);
}

// ---------------------------------------------------------------------------------------------
// The running server

// A zombie still answers kill(pid, 0), and PID 1 in a container may never reap an orphaned
// postmaster, so /proc's state is the authority when it is there.
bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (auto stat = util::read_small_file("/proc/" + std::to_string(pid) + "/stat")) {
    const std::string& line = *stat;
    const auto paren = line.rfind(')');
    if (paren == std::string::npos || paren + 2 >= line.size()) return true;
    const char state = line[paren + 2];
    return state != 'Z' && state != 'X';
  }
  if (::access("/proc/self/stat", R_OK) == 0) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

bool wait_for_exit(pid_t pid, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (process_alive(pid)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// What postmaster.pid says: line 1 pid, 4 port, 5 first socket directory.
struct PostmasterInfo {
  pid_t pid = 0;
  int port = kPort;
  std::string socket_dir;
};

std::optional<PostmasterInfo> read_postmaster_pid(const fs::path& cluster) {
  std::ifstream in(cluster / "postmaster.pid");
  if (!in) return std::nullopt;
  std::vector<std::string> lines;
  for (std::string line; lines.size() < 8 && std::getline(in, line);) lines.push_back(line);
  if (lines.empty()) return std::nullopt;
  PostmasterInfo info;
  info.pid = static_cast<pid_t>(std::strtol(lines[0].c_str(), nullptr, 10));
  if (info.pid <= 0) return std::nullopt;
  if (lines.size() >= 4) {
    const long port = std::strtol(lines[3].c_str(), nullptr, 10);
    if (port > 0 && port < 65536) info.port = static_cast<int>(port);
  }
  if (lines.size() >= 5) info.socket_dir = lines[4];
  return info;
}

std::string make_conninfo(const std::string& socket_dir, int port, const std::string& dbname) {
  return "host=" + conninfo_value(socket_dir) + " port=" + std::to_string(port) +
         " user=autoblog dbname=" + dbname;
}

bool accepts_connections(const PostmasterInfo& info) {
  if (info.socket_dir.empty()) return false;
  const std::string ci =
      make_conninfo(info.socket_dir, info.port, "postgres") + " connect_timeout=5";
  return PQping(ci.c_str()) == PQPING_OK;
}

// Removes a PostgreSQL lock file (postmaster.pid, .s.PGSQL.<port>.lock) whose pid is dead.
void remove_stale_lock_file(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return;
  long pid = 0;
  if (!(in >> pid) || pid <= 0 || process_alive(static_cast<pid_t>(pid))) return;
  std::error_code ec;
  fs::remove(file, ec);
  obs::log_warn("removed the stale lock file of a server that did not shut down cleanly",
                {{"file", file.string()}, {"dead_pid", static_cast<std::int64_t>(pid)}});
}

// The owner lock's file names the owner's pid, for messages only.
std::string read_owner_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "unknown" : text;
}

}  // namespace

// -----------------------------------------------------------------------------------------------

std::unique_ptr<EmbeddedPostgres> EmbeddedPostgres::start(const fs::path& data_dir) {
  // Built first so that a failure half-way (e.g. the server started but the database could not
  // be created) still runs stop() through the destructor.
  std::unique_ptr<EmbeddedPostgres> self(new EmbeddedPostgres());
  self->start_or_attach(data_dir);
  return self;
}

EmbeddedPostgres::~EmbeddedPostgres() {
  stop();
}

std::string EmbeddedPostgres::conninfo_for(const std::string& dbname) const {
  return make_conninfo(socket_dir_, port_, dbname);
}

std::string EmbeddedPostgres::conninfo() const {
  return conninfo_for("autoblog");
}

void EmbeddedPostgres::start_or_attach(const fs::path& data_dir) {
  if (data_dir.empty()) fail("the data dir must not be empty");
  const PgUser user = lookup_pg_user();
  run_as_postgres_ = user.active;
  bin_dir_ = find_bin_dir();
  if (user.active) find_runuser();  // fail early and clearly

  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) fail("cannot create the data dir " + data_dir.string() + ": " + ec.message());
  // Canonical, so that every process names the same cluster the same way (the /tmp socket
  // fallback is keyed by this path) and symlinked parents are checked where they really are.
  const fs::path canonical = fs::canonical(data_dir, ec);
  if (ec) fail("cannot resolve the data dir " + data_dir.string() + ": " + ec.message());
  if (user.active) make_data_dir_reachable(canonical, user);
  pg_root_ = canonical / "pg";
  prepare_private_dir(pg_root_.string(), user);

  const fs::path lock_path = pg_root_ / "owner.lock";
  // O_CLOEXEC matters: a postmaster that inherited the fd would hold the lock forever.
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) fail("cannot open " + lock_path.string() + ": " + errno_text(errno));

  const fs::path cluster = pg_root_ / "data";
  const auto deadline = Clock::now() + kAttachTimeout;
  for (;;) {
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0) break;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      fail("cannot lock " + lock_path.string() + ": " + errno_text(errno));
    }
    // Another live process manages the cluster: use it as soon as it accepts connections.
    if (const auto info = read_postmaster_pid(cluster);
        info && process_alive(info->pid) && accepts_connections(*info)) {
      const std::string owner = read_owner_pid(lock_fd_);
      ::close(lock_fd_);
      lock_fd_ = -1;
      socket_dir_ = info->socket_dir;
      port_ = info->port;
      postmaster_pid_ = info->pid;
      obs::log_info("attached to the embedded PostgreSQL server of another process",
                    {{"data_dir", canonical.string()},
                     {"postmaster_pid", static_cast<int>(info->pid)},
                     {"owner_pid", owner}});
      ensure_database();
      return;
    }
    if (Clock::now() >= deadline) {
      fail("the cluster in " + cluster.string() + " is managed by process " +
           read_owner_pid(lock_fd_) + " but has not accepted connections for " +
           std::to_string(kAttachTimeout.count()) + " s; see " + (pg_root_ / "log").string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  owner_ = true;
  const std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 ||
      ::pwrite(lock_fd_, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    obs::log_warn("cannot record the owner pid", {{"file", lock_path.string()}});
  }
  start_owned_cluster(canonical);
}

void EmbeddedPostgres::start_owned_cluster(const fs::path& canonical_data_dir) {
  const fs::path cluster = pg_root_ / "data";
  const fs::path log_file = pg_root_ / "log";

  // A running server with a free owner lock was left behind by an owner that died (SIGKILL,
  // crash). Adopt it, so that it is stopped when we exit instead of running forever.
  if (const auto info = read_postmaster_pid(cluster); info && process_alive(info->pid)) {
    const auto deadline = Clock::now() + kReadyTimeout;
    while (process_alive(info->pid) && !accepts_connections(*info) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (process_alive(info->pid)) {
      if (!accepts_connections(*info)) {
        fail("a server (pid " + std::to_string(info->pid) + ") runs on " + cluster.string() +
             " but does not accept connections; stop it (kill -INT " + std::to_string(info->pid) +
             ") and retry");
      }
      socket_dir_ = info->socket_dir;
      port_ = info->port;
      postmaster_pid_ = info->pid;
      remove_socket_dir_ = socket_dir_.rfind("/tmp/autoblog-", 0) == 0;
      obs::log_warn("adopted an embedded PostgreSQL server whose owner exited without stopping it",
                    {{"data_dir", canonical_data_dir.string()},
                     {"postmaster_pid", static_cast<int>(info->pid)}});
      ensure_database();
      return;
    }
    // It exited while we waited: start it afresh below.
  }
  // A postmaster.pid whose process is gone (crash, kill -9) is stale. The server clears such
  // files itself, except while the dead postmaster is an unreaped zombie (kill(pid, 0) still
  // succeeds), as happens when PID 1 reaps slowly. We hold the owner lock and the process is
  // not running, so the file protects nothing. (Same for the socket's lock file, below.)
  remove_stale_lock_file(cluster / "postmaster.pid");

  const PgUser user = lookup_pg_user();
  std::error_code ec;
  if (!fs::exists(cluster / "PG_VERSION", ec)) {
    // initdb into a staging directory and rename it into place once complete, so that an
    // interrupted first start never leaves a half-made cluster that looks usable. We hold the
    // owner lock, so a leftover staging directory is nobody's.
    const fs::path staging = pg_root_ / "data.initdb";
    fs::remove_all(staging, ec);
    if (ec) fail("cannot remove " + staging.string() + ": " + ec.message());
    if (fs::exists(cluster, ec)) {
      fail(cluster.string() +
           " exists but holds no PG_VERSION: not a PostgreSQL cluster; move it "
           "away and start again");
    }
    const auto began = Clock::now();
    const RunResult r =
        run_program(pg_command(run_as_postgres_, bin_dir_, "initdb",
                               {"-D", staging.string(), "-A", "trust", "-U", "autoblog",
                                "--no-sync", "-E", "UTF8", "--locale=C"}),
                    pg_root_);
    if (!succeeded(r)) {
      fail("initdb failed (" + describe_status(r.status) + "): " + one_line_tail(r.output));
    }
    // --no-sync spares a second of fsyncs per file; one syncfs makes the cluster durable before
    // the rename publishes it.
    {
      const util::UniqueFd dir_fd(::open(pg_root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (dir_fd) ::syncfs(dir_fd.get());
    }
    fs::rename(staging, cluster, ec);
    if (ec) {
      fail("cannot rename " + staging.string() + " to " + cluster.string() + ": " + ec.message());
    }
    // Best effort, as before: the cluster is already complete on disk.
    (void)util::fsync_dir(pg_root_);
    obs::log_info(
        "initialized the embedded PostgreSQL cluster",
        {{"cluster", cluster.string()},
         {"ms", static_cast<std::int64_t>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began)
                        .count())}});
  }

  // The socket goes next to the cluster unless the path would not fit in a unix socket address
  // (or holds a comma, which unix_socket_directories would read as a list separator).
  const std::string local_socket_dir = (pg_root_ / "run").string();
  if (local_socket_dir.size() + kSocketName.size() <= kMaxSocketPath &&
      local_socket_dir.find(',') == std::string::npos) {
    socket_dir_ = local_socket_dir;
  } else {
    socket_dir_ = "/tmp/autoblog-" + short_hash(canonical_data_dir.string());
    remove_socket_dir_ = true;
  }
  prepare_private_dir(socket_dir_, user);
  port_ = kPort;
  remove_stale_lock_file(fs::path(socket_dir_) / ".s.PGSQL.5432.lock");

  if (file_size_or_zero(log_file) > kMaxLogBytes) {
    fs::rename(log_file, pg_root_ / "log.old", ec);  // best effort; keep appending otherwise
  }

  // pg_ctl runs the server through /bin/sh, pasting -D and -l inside double quotes, where $, `,
  // \ and " in a path would be interpreted. So pg_ctl gets relative paths (cwd is pg_root_) and
  // the absolute ones travel single-quoted in -o. data_directory also makes the postmaster's
  // command line name the cluster's absolute path, which is how operators (and tests) find it.
  const std::string options =
      "-p " + std::to_string(kPort) + " -c listen_addresses='' -k " + shell_quote(socket_dir_) +
      " -c unix_socket_permissions=0700 -c max_connections=200 -c fsync=on -c data_directory=" +
      shell_quote(cluster.string());
  const std::vector<std::string> start_cmd =
      pg_command(run_as_postgres_, bin_dir_, "pg_ctl",
                 {"-D", "data", "-l", "log", "-w", "-t", "60", "-o", options, "start"});
  // After a crash (kill -9 of the postmaster) its children may take a moment to notice and exit;
  // until they do, the server refuses to start on their shared memory. Retry briefly then.
  for (int attempt = 1;; ++attempt) {
    const std::uintmax_t log_offset = file_size_or_zero(log_file);
    const RunResult r = run_program(start_cmd, pg_root_);
    if (succeeded(r)) break;
    const std::string log_tail = read_file_from(log_file, log_offset);
    if (attempt < 5 && log_tail.find("pre-existing shared memory block") != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    fail("pg_ctl start failed (" + describe_status(r.status) + "): " + one_line_tail(r.output, 2) +
         " | log " + log_file.string() + ": " + one_line_tail(log_tail));
  }
  if (const auto info = read_postmaster_pid(cluster)) postmaster_pid_ = info->pid;
  obs::log_info("started the embedded PostgreSQL server",
                {{"cluster", cluster.string()},
                 {"socket_dir", socket_dir_},
                 {"postmaster_pid", static_cast<int>(postmaster_pid_)}});
  ensure_database();
}

void EmbeddedPostgres::ensure_database() const {
  const std::string ci = conninfo_for("postgres") + " connect_timeout=10";
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(ci.c_str()), &PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    fail("cannot connect to the server at " + socket_dir_ + ": " +
         one_line_tail(conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;
  const auto exists = [&] {
    ResultPtr found(PQexec(conn.get(), "SELECT 1 FROM pg_database WHERE datname = 'autoblog'"),
                    &PQclear);
    if (PQresultStatus(found.get()) != PGRES_TUPLES_OK) {
      fail("cannot list databases: " + one_line_tail(PQerrorMessage(conn.get())));
    }
    return PQntuples(found.get()) > 0;
  };
  if (exists()) return;
  ResultPtr created(PQexec(conn.get(), "CREATE DATABASE autoblog"), &PQclear);
  if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
    // An attaching process can race the owner here; the loser sees 42P04 or, when both
    // inserted at once, a unique violation. Either way the database now exists.
    const std::string error = one_line_tail(PQerrorMessage(conn.get()));
    if (exists()) return;
    fail("cannot create database autoblog: " + error);
  }
  obs::log_info("created the database", {{"dbname", "autoblog"}});
}

void EmbeddedPostgres::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (owner_) {
    try {
      const fs::path cluster = pg_root_ / "data";
      const auto info = read_postmaster_pid(cluster);
      if (info && process_alive(info->pid)) {
        bool gone = false;
        for (const char* mode : {"fast", "immediate"}) {
          const RunResult r = run_program(
              pg_command(run_as_postgres_, bin_dir_, "pg_ctl",
                         {"-D", cluster.string(), "-m", mode, "-w", "-t", "60", "stop"}),
              pg_root_);
          // pg_ctl returns once postmaster.pid is gone; the process may need a moment more.
          if (succeeded(r) && wait_for_exit(info->pid, kExitTimeout)) {
            gone = true;
            break;
          }
          obs::log_warn("pg_ctl stop did not stop the embedded server",
                        {{"mode", mode},
                         {"status", describe_status(r.status)},
                         {"output", one_line_tail(r.output)}});
        }
        if (!gone) {
          ::kill(info->pid, SIGKILL);
          gone = wait_for_exit(info->pid, kExitTimeout);
          obs::log_error("killed the embedded PostgreSQL server",
                         {{"postmaster_pid", static_cast<int>(info->pid)}, {"gone", gone}});
        } else {
          obs::log_info("stopped the embedded PostgreSQL server",
                        {{"postmaster_pid", static_cast<int>(info->pid)}});
        }
      }
    } catch (const std::exception& e) {
      obs::log_error("stopping the embedded PostgreSQL server failed", {{"error", e.what()}});
    } catch (...) {
      obs::log_error("stopping the embedded PostgreSQL server failed");
    }
    // Empty once the server is down (it removes its socket and lock file); otherwise this fails
    // harmlessly.
    if (remove_socket_dir_ && !socket_dir_.empty()) ::rmdir(socket_dir_.c_str());
  }
  // Closing the fd releases the owner lock, only now that the server is down.
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

}  // namespace autoblog::db
