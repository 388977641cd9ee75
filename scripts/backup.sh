#!/usr/bin/env bash
# Backs up an AutoBlog data dir that uses the embedded PostgreSQL: the cluster, the local file
# storage and the generated secrets. Usage: scripts/backup.sh DATA_DIR BACKUP_DIR
#
# BACKUP_DIR must not exist yet; it is created with mode 0700 (it holds the admin token and the
# JWT secret). Run it as the user that runs the server (root after `make run`, `autoblog` under
# the systemd unit). It works with the server running or stopped:
#   - running: pg_basebackup through the cluster's unix socket (an online, consistent copy of
#     the database; requests keep being served);
#   - stopped: a copy of the cluster's files, holding the cluster's owner lock so that no
#     autoblog process starts the cluster meanwhile (it waits for the lock instead).
# Then storage/ (without its temp files) and secrets/ are copied. Files are copied after the
# database snapshot: an upload made during the backup may be in it or not.
# scripts/restore.sh BACKUP_DIR NEW_DATA_DIR puts it back. docs/operations.md has the details.
# Only for the embedded database: with AUTOBLOG_DATABASE_URL or S3, back those up with their
# own tools (pg_dump / managed snapshots, bucket versioning).
set -euo pipefail

die() {
  echo "backup: $*" >&2
  exit 1
}
[ $# -eq 2 ] || die "usage: $0 DATA_DIR BACKUP_DIR"
DATA=$1
OUT=$2
[ -d "$DATA" ] || die "no data dir at $DATA"
DATA=$(cd "$DATA" && pwd -P)
CLUSTER="$DATA/pg/data"
[ -f "$CLUSTER/PG_VERSION" ] || die "$DATA holds no embedded PostgreSQL cluster (pg/data); with AUTOBLOG_DATABASE_URL back up that database with pg_dump or your provider's tools"
[ -e "$OUT" ] && die "$OUT exists already; choose a new backup directory"

# The server's PostgreSQL programs: $AUTOBLOG_PG_BIN, else the cluster's major version.
PG_MAJOR=$(cat "$CLUSTER/PG_VERSION")
PG_BIN=${AUTOBLOG_PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
[ -x "$PG_BIN/pg_basebackup" ] || die "pg_basebackup not found in $PG_BIN (set AUTOBLOG_PG_BIN)"

# As root the cluster belongs to (and runs as) another user, usually postgres.
PG_OWNER=$(stat -c %U "$CLUSTER")
as_owner() {
  if [ "$(id -u)" = 0 ] && [ "$PG_OWNER" != root ]; then runuser -u "$PG_OWNER" -- "$@"; else "$@"; fi
}

# postmaster.pid: line 1 the pid, line 4 the port, line 5 the socket directory.
running_postmaster() {
  [ -f "$CLUSTER/postmaster.pid" ] || return 1
  local pid
  pid=$(sed -n 1p "$CLUSTER/postmaster.pid")
  [ -n "$pid" ] && [ -d "/proc/$pid" ]
}

umask 077
mkdir -p "$(dirname "$OUT")"
mkdir "$OUT"
DONE=0
trap '[ "$DONE" = 1 ] || { echo "backup: failed; removing the incomplete $OUT" >&2; rm -rf "$OUT"; }' EXIT
mkdir "$OUT/pg"

if running_postmaster; then
  PORT=$(sed -n 4p "$CLUSTER/postmaster.pid")
  SOCKET_DIR=$(sed -n 5p "$CLUSTER/postmaster.pid")
  echo "backup: server running; pg_basebackup through $SOCKET_DIR"
  # A tar stream on stdout (-D -), unpacked by this user: the cluster's owner needs no access
  # to BACKUP_DIR. -X fetch puts the WAL the copy needs into it; -c fast starts at once.
  as_owner "$PG_BIN/pg_basebackup" -h "$SOCKET_DIR" -p "$PORT" -U autoblog -D - -F tar \
    -X fetch -c fast --no-password | tar -x -C "$OUT/pg" -f -
  # A tar-format backup to stdout carries no manifest file to check; the cluster's own
  # consistency is checked when it starts (recovery from the included WAL).
  METHOD=pg_basebackup
else
  # Stopped: hold the owner lock (autoblog takes it before starting the cluster) while copying.
  LOCK="$DATA/pg/owner.lock"
  [ -e "$LOCK" ] || die "$LOCK is missing; is $DATA an autoblog data dir?"
  exec 9<"$LOCK"
  flock -n 9 || die "an autoblog process holds $LOCK but its PostgreSQL is not running (starting up?); retry in a moment"
  running_postmaster && die "the cluster started while the backup began; retry"
  echo "backup: server stopped; copying the cluster's files"
  cp -a "$CLUSTER/." "$OUT/pg/"
  rm -f "$OUT/pg/postmaster.pid" "$OUT/pg/postmaster.opts"
  METHOD=file-copy
fi

if [ -d "$DATA/storage" ]; then
  mkdir "$OUT/storage"
  tar -C "$DATA/storage" --exclude=./.tmp -cf - . | tar -C "$OUT/storage" -xf -
fi
if [ -d "$DATA/secrets" ]; then
  cp -a "$DATA/secrets" "$OUT/secrets"
fi
{
  echo "created_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "data_dir=$DATA"
  echo "postgresql_major=$PG_MAJOR"
  echo "method=$METHOD"
} >"$OUT/backup_info"
DONE=1
echo "backup: done: $OUT ($(du -sh "$OUT" | cut -f1))"
