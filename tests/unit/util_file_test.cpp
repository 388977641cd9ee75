// util/file.h: UniqueFd ownership, write_all, fsync_dir, and write_file_atomically's
// replace / no-replace semantics, mode and clean-up on failure.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "util/file.h"

namespace autoblog::util {
namespace {

namespace fs = std::filesystem;

class FileTest : public testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/abfile.XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
};

TEST_F(FileTest, UniqueFdClosesOnceAndMoves) {
  UniqueFd a(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(a);
  const int raw = a.get();
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(b.get(), raw);
  EXPECT_EQ(b.close(), 0);
  EXPECT_FALSE(b);
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // really closed
  EXPECT_EQ(b.close(), 0);               // closing an empty one is a no-op
}

TEST_F(FileTest, WriteAllAndFsyncDirReportErrno) {
  UniqueFd fd(::open((dir_ / "f").c_str(), O_WRONLY | O_CREAT, 0600));
  ASSERT_TRUE(fd);
  const std::string big(1 << 20, 'z');
  EXPECT_EQ(write_all(fd.get(), big), 0);
  EXPECT_EQ(fd.close(), 0);
  EXPECT_EQ(read(dir_ / "f"), big);
  EXPECT_EQ(write_all(-1, "x"), EBADF);
  EXPECT_EQ(fsync_dir(dir_), 0);
  EXPECT_EQ(fsync_dir(dir_ / "missing"), ENOENT);
}

TEST_F(FileTest, AtomicWriteReplacesAndSetsTheModeDespiteTheUmask) {
  const fs::path file = dir_ / "secret";
  const mode_t old_umask = ::umask(0777);
  const bool first = write_file_atomically(file, "one\n", 0600);
  ::umask(old_umask);
  EXPECT_TRUE(first);
  EXPECT_EQ(read(file), "one\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  EXPECT_TRUE(write_file_atomically(file, "two\n", 0644));
  EXPECT_EQ(read(file), "two\n");
  EXPECT_EQ(entries(), 1u) << "no temp file may be left behind";
}

TEST_F(FileTest, AtomicWriteWithoutReplaceKeepsTheExistingFile) {
  const fs::path file = dir_ / "token";
  EXPECT_TRUE(write_file_atomically(file, "first", 0600, Replace::kNo));
  EXPECT_FALSE(write_file_atomically(file, "second", 0600, Replace::kNo));
  EXPECT_EQ(read(file), "first");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(FileTest, AtomicWriteFailureNamesTheStepAndLeavesNothing) {
  const fs::path file = dir_ / "missing-dir" / "f";
  try {
    write_file_atomically(file, "x", 0600);
    FAIL() << "expected std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
    EXPECT_NE(std::string(e.what()).find("cannot create"), std::string::npos) << e.what();
  }
  // A target that is a directory: the rename fails after the temp file was written.
  fs::create_directory(dir_ / "d");
  EXPECT_THROW(write_file_atomically(dir_ / "d", "x", 0600), std::system_error);
  EXPECT_EQ(entries(), 1u) << "the temp file must be removed";
}

TEST_F(FileTest, ReadSmallFileReturnsTheContentOrNothing) {
  const fs::path file = dir_ / "small";
  ASSERT_TRUE(write_file_atomically(file, std::string("a\0b\nc", 5), 0600));
  EXPECT_EQ(read_small_file(file), std::string("a\0b\nc", 5));
  EXPECT_EQ(read_small_file(dir_ / "missing"), std::nullopt);
  EXPECT_EQ(read_small_file(dir_), std::nullopt);  // a directory cannot be read
  // A /proc file of a process that exists, as embedded PostgreSQL's liveness check reads it.
  auto stat = read_small_file("/proc/self/stat");
  ASSERT_TRUE(stat.has_value());
  EXPECT_NE(stat->find(')'), std::string::npos);
}

}  // namespace
}  // namespace autoblog::util
