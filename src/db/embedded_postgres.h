#pragma once
// The embedded default database (docs/configuration.md): a private PostgreSQL cluster under
// <data_dir>/pg, created with initdb on first start, reachable through a unix socket only and
// stopped again when its owner exits.
//
// Layout: <data_dir>/pg/data (the cluster), <data_dir>/pg/log (server log), <data_dir>/pg/run
// (socket directory, or /tmp/autoblog-<hash> when that path would be too long for a unix socket
// address), <data_dir>/pg/owner.lock (held by the process that manages the running cluster).
//
// Several autoblog processes may share one data dir (`autoblog serve` running while an operator
// runs `autoblog tenant create`). The first one starts the cluster and owns it: it holds an
// exclusive flock on owner.lock for as long as it manages the cluster and stops the cluster at
// the end. Later ones attach to the running cluster and leave it running. A cluster that is
// running but whose owner died without stopping it (SIGKILL, crash) has a free lock: the next
// start() adopts it, so it is stopped when that process exits instead of leaking forever.
//
// As root, every PostgreSQL program runs as the `postgres` system user (initdb refuses root),
// and the pg directories belong to that user. Programs are started with posix_spawn and argument
// vectors; the one shell string involved (pg_ctl runs the server through /bin/sh) carries only
// single-quoted values and relative paths, so data dirs with spaces or quotes work.
//
// Thread-safety: none; one object is used by one thread (main / the composition root).
// Ownership: owned by the composition root through the unique_ptr returned by start(); it must
// outlive every connection made with conninfo() if it owns the cluster.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace autoblog::db {

class EmbeddedPostgres {
 public:
  // Starts (initdb on first use), adopts or attaches to the cluster under <data_dir>/pg and
  // makes sure the `autoblog` database exists. Blocks until the server accepts connections
  // (pg_ctl's 60 s limit; up to 90 s while another process holds the cluster but is still
  // starting it). Throws std::runtime_error with a one-line message (including the tail of the
  // server log when the server fails to start).
  static std::unique_ptr<EmbeddedPostgres> start(const std::filesystem::path& data_dir);

  ~EmbeddedPostgres();  // calls stop()
  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

  // libpq connection string for the `autoblog` database, e.g.
  // "host=/srv/autoblog/pg/run port=5432 user=autoblog dbname=autoblog". Values that need it are
  // quoted the libpq way.
  std::string conninfo() const;

  // Stops the cluster (pg_ctl -m fast, escalating to -m immediate and SIGKILL) if this object
  // owns it, waits until the postmaster is gone, and releases ownership. An attached object only
  // lets go. Idempotent; never throws (failures are logged).
  void stop();

  // True when this object started or adopted the cluster and stop() will shut it down.
  bool owns_cluster() const { return owner_; }
  // The directory holding the server's unix socket.
  const std::string& socket_dir() const { return socket_dir_; }
  // The postmaster's pid (from postmaster.pid when started or attached).
  pid_t postmaster_pid() const { return postmaster_pid_; }

 private:
  EmbeddedPostgres() = default;
  void start_or_attach(const std::filesystem::path& data_dir);
  void start_owned_cluster(const std::filesystem::path& canonical_data_dir);
  void ensure_database() const;
  std::string conninfo_for(const std::string& dbname) const;

  std::filesystem::path pg_root_;  // <data_dir>/pg
  std::filesystem::path bin_dir_;  // PostgreSQL's bin directory
  std::string socket_dir_;
  int port_ = 5432;
  pid_t postmaster_pid_ = 0;
  bool run_as_postgres_ = false;    // running as root: programs run as `postgres`
  bool owner_ = false;              // holds owner.lock and stops the cluster in stop()
  bool remove_socket_dir_ = false;  // the /tmp fallback is ours to remove after a stop
  bool stopped_ = false;
  int lock_fd_ = -1;
};

}  // namespace autoblog::db
