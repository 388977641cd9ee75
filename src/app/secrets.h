#pragma once
// The process's two secrets (docs/configuration.md): the platform operator's admin token and the HS256 key
// for tenant JWTs. Values from the environment or flags win; otherwise they are kept in
// <data_dir>/secrets/{admin_token,jwt_secret} (directory 0700, files 0600, owned by the process
// user) and generated on first start, so that a restart keeps tokens valid.
// Nothing here logs or prints a secret value; the caller prints a generated admin token once.
// Thread-safety: stateless; safe to call from several processes at once (a losing concurrent
// generator adopts the winner's file instead of overwriting it).
// Ownership: returns values; holds nothing.
#include <filesystem>
#include <string>

namespace autoblog::app {

struct Secrets {
  std::string admin_token;
  std::string jwt_secret;
  bool admin_token_generated = false;  // true only in the call that created the file
};

// Empty *_from_env means "not configured". A stored file must be a regular file owned by the
// current user with no group/other permissions (0600), else this refuses with a
// std::runtime_error naming the file. Generated: admin token = 32 random bytes as hex, JWT
// secret = 48 random bytes as hex, each written atomically (O_EXCL temp file, fsync, rename
// without replacing, fsync of the directory). Throws std::runtime_error on I/O errors too.
Secrets load_or_create_secrets(const std::filesystem::path& data_dir,
                               const std::string& admin_token_from_env,
                               const std::string& jwt_secret_from_env);

}  // namespace autoblog::app
