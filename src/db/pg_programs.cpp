#include "db/pg_programs.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace autoblog::db::pg_programs {

namespace fs = std::filesystem;

namespace {
constexpr std::size_t kMaxCapturedOutput = 64 * 1024;
}  // namespace

void fail(const std::string& message) {
  throw std::runtime_error("embedded PostgreSQL: " + message);
}

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

std::filesystem::path find_bin_dir() {
  const auto usable = [](const fs::path& dir) {
    for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
      if (::access((dir / tool).c_str(), X_OK) != 0) return false;
    }
    return true;
  };
  if (const char* env = std::getenv("AUTOBLOG_PG_BIN"); env != nullptr && *env != '\0') {
    if (!usable(env)) {
      fail("AUTOBLOG_PG_BIN=" + std::string(env) +
           " does not contain the programs initdb, pg_ctl and postgres");
    }
    return fs::absolute(env);
  }
  const fs::path preferred = "/usr/lib/postgresql/15/bin";
  if (usable(preferred)) return preferred;
  int best = -1;
  fs::path best_dir;
  std::error_code ec;
  for (fs::directory_iterator it("/usr/lib/postgresql", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.size() > 4 ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const int version = std::stoi(name);
    if (version > best && usable(it->path() / "bin")) {
      best = version;
      best_dir = it->path() / "bin";
    }
  }
  if (best < 0) {
    fail(
        "PostgreSQL server programs not found in /usr/lib/postgresql/*/bin; install the "
        "postgresql package or set AUTOBLOG_PG_BIN to the directory holding initdb");
  }
  return best_dir;
}

std::string find_runuser() {
  for (const char* path :
       {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  fail("running as root needs runuser (util-linux) to start PostgreSQL as `postgres`");
}

bool succeeded(const RunResult& r) {
  return WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

namespace {
// PG* variables (PGDATA, PGPORT, PGHOST, PGOPTIONS, ...) would silently point initdb, pg_ctl or
// the server at another cluster or port; here the cluster is described by arguments only.
std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "PG", 2) != 0) env.emplace_back(*e);
  }
  return env;
}
}  // namespace

RunResult run_program(const std::vector<std::string>& argv, const fs::path& cwd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe: " + errno_text(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigmask(&attr, &mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int sig :
       {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env = child_environment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    fail("cannot run " + argv[0] + ": " + errno_text(rc));
  }

  RunResult result;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
      if (result.output.size() > 2 * kMaxCapturedOutput) {
        result.output.erase(0, result.output.size() - kMaxCapturedOutput);
      }
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  ::close(fds[0]);
  while (::waitpid(pid, &result.status, 0) < 0) {
    if (errno != EINTR) fail("waitpid for " + argv[0] + ": " + errno_text(errno));
  }
  return result;
}

std::vector<std::string> pg_command(bool as_postgres, const fs::path& bin_dir, const char* program,
                                    std::vector<std::string> args) {
  std::vector<std::string> argv;
  if (as_postgres) argv = {find_runuser(), "-u", "postgres", "--"};
  argv.push_back((bin_dir / program).string());
  argv.insert(argv.end(), std::make_move_iterator(args.begin()),
              std::make_move_iterator(args.end()));
  return argv;
}

}  // namespace autoblog::db::pg_programs
