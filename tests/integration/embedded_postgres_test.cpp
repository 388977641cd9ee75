// EmbeddedPostgres against the real PostgreSQL binaries: first start (initdb), attach from a
// second object, clean stop, restart after the postmaster was killed, adoption of a server left
// by a dead owner, long and odd data dir paths. Runs as root in CI (then the server runs as
// `postgres`) and as a normal user.
#include "db/embedded_postgres.h"
#include "util/file.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace autoblog::db {
namespace {

namespace fs = std::filesystem;

std::string query_one(const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("connect failed: " + std::string(PQerrorMessage(conn.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK || PQntuples(res.get()) != 1) {
    throw std::runtime_error("query failed: " + std::string(PQerrorMessage(conn.get())));
  }
  return PQgetvalue(res.get(), 0, 0);
}

// Live processes whose command line mentions `text` and "postgres" (zombies have an empty one).
std::vector<std::string> postgres_processes_mentioning(const std::string& text) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    // Not std::ifstream: a process that exits between open and read makes it throw.
    std::string cmd = util::read_small_file(entry.path() / "cmdline").value_or("");
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if (cmd.find(text) != std::string::npos && cmd.find("postgres") != std::string::npos) {
      found.push_back(name + ": " + cmd);
    }
  }
  return found;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

pid_t postmaster_pid_of(const fs::path& data_dir) {
  std::ifstream in(data_dir / "pg" / "data" / "postmaster.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

class EmbeddedPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/abe.XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    base_ = templ;
    // mkdtemp makes it 0700; as root the postgres user must be able to pass through the
    // parents of a data dir (tests that need a private directory set it back).
    ASSERT_EQ(::chmod(base_.c_str(), 0755), 0);
  }

  void TearDown() override {
    // Never leave a server behind, even when an assertion failed half-way.
    for (const auto& entry : fs::recursive_directory_iterator(base_)) {
      if (entry.path().filename() == "postmaster.pid") {
        std::ifstream in(entry.path());
        pid_t pid = 0;
        if (in >> pid && pid > 0 && !postgres_processes_mentioning(base_.string()).empty()) {
          ::kill(pid, SIGQUIT);
        }
      }
    }
    wait_until([&] { return postgres_processes_mentioning(base_.string()).empty(); },
               std::chrono::seconds(10));
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  void expect_no_server_left(const fs::path& data_dir) {
    EXPECT_TRUE(wait_until([&] { return postgres_processes_mentioning(data_dir.string()).empty(); },
                           std::chrono::seconds(5)))
        << postgres_processes_mentioning(data_dir.string()).front();
  }

  fs::path base_;
};

TEST_F(EmbeddedPostgresTest, StartsAttachesAndStopsLeavingNoProcess) {
  // The data dir itself is private, as mkdtemp makes it: start() lets the postgres group pass.
  const fs::path data_dir = base_;
  ASSERT_EQ(::chmod(base_.c_str(), 0700), 0);
  auto first = EmbeddedPostgres::start(data_dir);
  EXPECT_TRUE(first->owns_cluster());
  EXPECT_EQ(first->conninfo(), "host=" + (data_dir / "pg" / "run").string() +
                                   " port=5432 user=autoblog dbname=autoblog");
  EXPECT_EQ(query_one(first->conninfo(), "SELECT 1"), "1");
  EXPECT_EQ(query_one(first->conninfo(), "SELECT current_database()"), "autoblog");
  EXPECT_EQ(query_one(first->conninfo(), "SHOW max_connections"), "200");
  EXPECT_EQ(query_one(first->conninfo(), "SHOW listen_addresses"), "");
  EXPECT_TRUE(fs::exists(data_dir / "pg" / "log"));
  EXPECT_FALSE(postgres_processes_mentioning(data_dir.string()).empty());
  const pid_t pid = first->postmaster_pid();
  EXPECT_GT(pid, 0);

  {
    // A second process (here: a second object) attaches and leaves the server running.
    auto second = EmbeddedPostgres::start(data_dir);
    EXPECT_FALSE(second->owns_cluster());
    EXPECT_EQ(second->conninfo(), first->conninfo());
    EXPECT_EQ(second->postmaster_pid(), pid);
    EXPECT_EQ(query_one(second->conninfo(), "SELECT 1"), "1");
  }
  EXPECT_EQ(query_one(first->conninfo(), "SELECT 2"), "2");
  EXPECT_EQ(postmaster_pid_of(data_dir), pid);

  first->stop();
  first->stop();  // idempotent
  expect_no_server_left(data_dir);
  EXPECT_FALSE(fs::exists(data_dir / "pg" / "data" / "postmaster.pid"));

  // The cluster and the database survive a restart (no second initdb).
  auto again = EmbeddedPostgres::start(data_dir);
  EXPECT_TRUE(again->owns_cluster());
  EXPECT_EQ(query_one(again->conninfo(), "SELECT 1"), "1");
  again.reset();
  expect_no_server_left(data_dir);
}

TEST_F(EmbeddedPostgresTest, RestartsAfterPostmasterWasKilled) {
  const fs::path data_dir = base_ / "data";
  auto pg = EmbeddedPostgres::start(data_dir);
  const pid_t old_pid = pg->postmaster_pid();
  ASSERT_GT(old_pid, 0);
  ASSERT_EQ(::kill(old_pid, SIGKILL), 0);
  // Dead, though perhaps not yet reaped by PID 1 (its lock files then still name a "live" pid).
  ASSERT_TRUE(wait_until(
      [&] {
        std::ifstream stat("/proc/" + std::to_string(old_pid) + "/stat");
        std::string line;
        std::getline(stat, line);
        const auto paren = line.rfind(')');
        return !stat || (paren != std::string::npos && line.substr(paren + 2, 1) == "Z");
      },
      std::chrono::seconds(5)));
  pg.reset();  // nothing left to stop; must not hang or throw
  ASSERT_TRUE(fs::exists(data_dir / "pg" / "data" / "postmaster.pid"));  // stale

  pg = EmbeddedPostgres::start(data_dir);
  EXPECT_TRUE(pg->owns_cluster());
  EXPECT_NE(pg->postmaster_pid(), old_pid);
  EXPECT_EQ(query_one(pg->conninfo(), "SELECT 1"), "1");
  pg.reset();
  expect_no_server_left(data_dir);
}

TEST_F(EmbeddedPostgresTest, AdoptsServerLeftRunningByADeadOwner) {
  const fs::path data_dir = base_ / "data";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The owner "crashes": exits without stopping its server.
    try {
      EmbeddedPostgres::start(data_dir).release();
      ::_exit(0);
    } catch (...) {
      ::_exit(1);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const pid_t orphan = postmaster_pid_of(data_dir);
  ASSERT_GT(orphan, 0);
  ASSERT_FALSE(postgres_processes_mentioning(data_dir.string()).empty());

  auto pg = EmbeddedPostgres::start(data_dir);
  EXPECT_TRUE(pg->owns_cluster());  // adopted, so it is stopped below
  EXPECT_EQ(pg->postmaster_pid(), orphan);
  EXPECT_EQ(query_one(pg->conninfo(), "SELECT 1"), "1");
  pg.reset();
  expect_no_server_left(data_dir);
}

TEST_F(EmbeddedPostgresTest, ConcurrentFirstStartsShareOneCluster) {
  // `autoblog serve` and `autoblog tenant create` started together on a fresh data dir: one
  // runs initdb and owns the server, the other waits for it and attaches.
  const fs::path data_dir = base_ / "data";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      auto pg = EmbeddedPostgres::start(data_dir);
      const bool ok = query_one(pg->conninfo(), "SELECT 1") == "1";
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      ::_exit(ok ? 0 : 1);  // leaves an owned server running: the parent adopts it then
    } catch (...) {
      ::_exit(2);
    }
  }
  auto pg = EmbeddedPostgres::start(data_dir);
  EXPECT_EQ(query_one(pg->conninfo(), "SELECT 1"), "1");
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  pg.reset();
  if (!postgres_processes_mentioning(data_dir.string()).empty()) {
    // The child owned it and exited without stop(): the next start adopts and stops it.
    EmbeddedPostgres::start(data_dir).reset();
  }
  expect_no_server_left(data_dir);
}

TEST_F(EmbeddedPostgresTest, LongDataDirUsesSocketUnderTmp) {
  const fs::path data_dir = base_ / std::string(100, 'd');
  ASSERT_GT(data_dir.string().size(), 110u);
  auto pg = EmbeddedPostgres::start(data_dir);
  const std::string socket_dir = pg->socket_dir();
  EXPECT_EQ(socket_dir.rfind("/tmp/autoblog-", 0), 0u) << socket_dir;
  EXPECT_EQ(socket_dir.size(), std::string("/tmp/autoblog-").size() + 16);
  struct stat st {};
  ASSERT_EQ(::stat(socket_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(query_one(pg->conninfo(), "SELECT 1"), "1");
  pg.reset();
  expect_no_server_left(data_dir);
  EXPECT_FALSE(fs::exists(socket_dir));
}

TEST_F(EmbeddedPostgresTest, DataDirWithSpacesQuotesAndShellCharacters) {
  const fs::path data_dir = base_ / "it's a \"data\" dir $HOME `id`";
  auto pg = EmbeddedPostgres::start(data_dir);
  EXPECT_EQ(query_one(pg->conninfo(), "SELECT 1"), "1");
  EXPECT_EQ(pg->socket_dir(), (data_dir / "pg" / "run").string());
  pg.reset();
  expect_no_server_left(data_dir);
}

TEST_F(EmbeddedPostgresTest, RootRefusesParentThePostgresUserCannotEnter) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root hands the cluster to the postgres user";
  ASSERT_EQ(::chmod(base_.c_str(), 0700), 0);
  const fs::path data_dir = base_ / "inner" / "data";
  try {
    EmbeddedPostgres::start(data_dir);
    FAIL() << "start() accepted a data dir the postgres user cannot reach";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot enter " + base_.string()), std::string::npos) << message;
    EXPECT_NE(message.find("postgres"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  expect_no_server_left(data_dir);
}

}  // namespace
}  // namespace autoblog::db
