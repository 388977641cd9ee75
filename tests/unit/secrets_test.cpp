// load_or_create_secrets: generation (modes, sizes), persistence, env precedence, refusal of
// files others could read.
#include "app/secrets.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace autoblog::app {
namespace {

namespace fs = std::filesystem;

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/absec.XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return 07777;
    return st.st_mode & 07777;
  }

  static void write_file(const fs::path& p, const std::string& text, mode_t mode) {
    std::ofstream(p) << text;
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
  }

  fs::path dir_;
};

TEST_F(SecretsTest, GeneratesPrivateFilesAndKeepsThem) {
  const fs::path data_dir = dir_ / "var";  // does not exist yet
  const Secrets first = load_or_create_secrets(data_dir, "", "");
  EXPECT_TRUE(first.admin_token_generated);
  EXPECT_EQ(first.admin_token.size(), 64u);  // 32 bytes as hex
  EXPECT_EQ(first.jwt_secret.size(), 96u);   // 48 bytes as hex
  EXPECT_NE(first.admin_token, first.jwt_secret);
  EXPECT_EQ(mode_of(data_dir / "secrets"), 0700u);
  EXPECT_EQ(mode_of(data_dir / "secrets" / "admin_token"), 0600u);
  EXPECT_EQ(mode_of(data_dir / "secrets" / "jwt_secret"), 0600u);
  // Only the two files: no temp file left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(data_dir / "secrets"), fs::directory_iterator()),
            2);

  const Secrets second = load_or_create_secrets(data_dir, "", "");
  EXPECT_FALSE(second.admin_token_generated);
  EXPECT_EQ(second.admin_token, first.admin_token);
  EXPECT_EQ(second.jwt_secret, first.jwt_secret);
}

TEST_F(SecretsTest, EnvironmentValuesWin) {
  const Secrets stored = load_or_create_secrets(dir_, "", "");
  const std::string admin = "env-admin-token-0123456789";
  const std::string jwt = "env-jwt-secret-0123456789abcdef0123456789";
  const Secrets both = load_or_create_secrets(dir_, admin, jwt);
  EXPECT_EQ(both.admin_token, admin);
  EXPECT_EQ(both.jwt_secret, jwt);
  EXPECT_FALSE(both.admin_token_generated);

  const Secrets mixed = load_or_create_secrets(dir_, admin, "");
  EXPECT_EQ(mixed.admin_token, admin);
  EXPECT_EQ(mixed.jwt_secret, stored.jwt_secret);
}

TEST_F(SecretsTest, EnvironmentOnlyTouchesNothingOnDisk) {
  const fs::path data_dir = dir_ / "var";
  load_or_create_secrets(data_dir, "env-admin-token-0123456789",
                         "env-jwt-secret-0123456789abcdef0123456789");
  EXPECT_FALSE(fs::exists(data_dir / "secrets"));

  // An env admin token does not create an admin_token file, but the JWT secret is still kept.
  const Secrets s = load_or_create_secrets(data_dir, "env-admin-token-0123456789", "");
  EXPECT_FALSE(s.admin_token_generated);
  EXPECT_FALSE(fs::exists(data_dir / "secrets" / "admin_token"));
  EXPECT_TRUE(fs::exists(data_dir / "secrets" / "jwt_secret"));
}

TEST_F(SecretsTest, RefusesFileReadableByOthers) {
  load_or_create_secrets(dir_, "", "");
  const fs::path file = dir_ / "secrets" / "jwt_secret";
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  try {
    load_or_create_secrets(dir_, "", "");
    FAIL() << "a 0644 secret file was accepted";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("0644"), std::string::npos) << message;
  }
  // The env value makes the file irrelevant.
  EXPECT_NO_THROW(load_or_create_secrets(dir_, "", "env-jwt-secret-0123456789abcdef0123456789"));
}

TEST_F(SecretsTest, ReadsHandWrittenFilesAndRejectsWeakOnes) {
  fs::create_directories(dir_ / "secrets");
  write_file(dir_ / "secrets" / "admin_token", "  operator-chosen-token-123\n", 0600);
  write_file(dir_ / "secrets" / "jwt_secret", "0123456789abcdef0123456789abcdef\n", 0400);
  const Secrets s = load_or_create_secrets(dir_, "", "");
  EXPECT_EQ(s.admin_token, "operator-chosen-token-123");
  EXPECT_EQ(s.jwt_secret, "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(s.admin_token_generated);

  write_file(dir_ / "secrets" / "admin_token", "short\n", 0600);
  EXPECT_THROW(load_or_create_secrets(dir_, "", ""), std::runtime_error);
}

TEST_F(SecretsTest, RefusesSymlinkedSecretFile) {
  fs::create_directories(dir_ / "secrets");
  write_file(dir_ / "elsewhere", "0123456789abcdef0123456789abcdef\n", 0600);
  fs::create_symlink(dir_ / "elsewhere", dir_ / "secrets" / "admin_token");
  EXPECT_THROW(load_or_create_secrets(dir_, "", ""), std::runtime_error);
}

}  // namespace
}  // namespace autoblog::app
