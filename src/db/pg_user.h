#pragma once
// The system user the embedded PostgreSQL runs as, and the directories it must reach: as root,
// initdb refuses to run, so programs run as `postgres` and get the directories they need; as any
// other user, everything runs as that user. Internal to the db area (db/embedded_postgres.cpp).
// Functions share no state; thread-safe. Errors throw through pg_programs::fail().
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace autoblog::db::pg_programs {

struct PgUser {
  bool active = false;  // we are root: run programs as `postgres` and hand it the directories
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

PgUser lookup_pg_user();

// The server, running as `postgres`, opens paths under the data dir, so it must be able to
// search every directory on the way. We never loosen directories that are not the data dir
// itself: a private /root is the operator's decision, so we say what is wrong instead.
void make_data_dir_reachable(const std::filesystem::path& data_dir, const PgUser& user);

// Creates (or checks) a directory that only the server's user may enter. 0700 because the
// cluster uses trust authentication: whoever reaches the socket is the superuser.
void prepare_private_dir(const std::string& dir, const PgUser& user);

}  // namespace autoblog::db::pg_programs
