#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into a new data dir.
# Usage: scripts/restore.sh BACKUP_DIR NEW_DATA_DIR [USER]
#
# NEW_DATA_DIR must not exist or be empty: a restore never overwrites data. USER is the user
# that will run the server (default: the one running this script; another one needs root):
# the data dir becomes theirs, and the cluster too, except for root, whose cluster belongs to
# the postgres user (as the server itself arranges it). Then start the server on it:
# `autoblog serve --data-dir NEW_DATA_DIR`. The first start replays the WAL copied with the
# backup; the secrets come back too, so the admin token and every tenant token issued before
# the backup keep working.
set -euo pipefail

die() {
  echo "restore: $*" >&2
  exit 1
}
[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: $0 BACKUP_DIR NEW_DATA_DIR [USER]"
BACKUP=$1
DATA=$2
RUN_AS=${3:-$(id -un)}
id "$RUN_AS" >/dev/null 2>&1 || die "no user $RUN_AS"
if [ "$RUN_AS" != "$(id -un)" ] && [ "$(id -u)" != 0 ]; then
  die "only root can restore for another user ($RUN_AS)"
fi
[ -f "$BACKUP/backup_info" ] && [ -f "$BACKUP/pg/PG_VERSION" ] ||
  die "$BACKUP is not a backup made by scripts/backup.sh (no backup_info or pg/PG_VERSION)"
if [ -e "$DATA" ] && [ -n "$(ls -A "$DATA" 2>/dev/null)" ]; then
  die "$DATA exists and is not empty; restore into a new directory"
fi

# A server running as root runs PostgreSQL as `postgres` (initdb refuses root); otherwise as
# itself.
if [ "$(id -u "$RUN_AS")" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "a server running as root needs the postgres system user"
  PG_OWNER=postgres
else
  PG_OWNER=$RUN_AS
fi

umask 077
mkdir -p "$DATA"
DONE=0
trap '[ "$DONE" = 1 ] || echo "restore: failed; $DATA is incomplete, empty it before retrying" >&2' EXIT
mkdir -p "$DATA/pg"
cp -a "$BACKUP/pg" "$DATA/pg/data"
rm -f "$DATA/pg/data/backup_manifest" "$DATA/pg/data/postmaster.pid" "$DATA/pg/data/postmaster.opts"
chmod 0700 "$DATA/pg" "$DATA/pg/data"
[ -d "$BACKUP/storage" ] && cp -a "$BACKUP/storage" "$DATA/storage"
if [ -d "$BACKUP/secrets" ]; then
  cp -a "$BACKUP/secrets" "$DATA/secrets"
  chmod 0700 "$DATA/secrets"
  find "$DATA/secrets" -type f -exec chmod 0600 {} +
fi
if [ "$(id -u)" = 0 ]; then
  # The server refuses secret files that are not its own; it lets the postgres user through a
  # private data dir by itself.
  chown -R "$RUN_AS:" "$DATA"
  chown -R "$PG_OWNER:" "$DATA/pg"
fi
DONE=1
echo "restore: done: $DATA (from $BACKUP, $(grep '^created_at=' "$BACKUP/backup_info" | cut -d= -f2))"
echo "restore: start the server with: autoblog serve --data-dir $DATA"
