#!/usr/bin/env bash
# Starts the services the tests need (a private PostgreSQL cluster on a unix socket), runs every
# test with ctest, and stops the services whatever happens. Usage: run-tests.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}

PG_BIN=${AUTOBLOG_PG_BIN:-/usr/lib/postgresql/15/bin}
T=$(mktemp -d /tmp/abt.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$T/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"
[ "$(id -u)" = 0 ] && chown postgres "$T"
as_pg "$PG_BIN/initdb" -D "$T/data" -A trust -U autoblog --no-sync -E UTF8 --locale=C >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$T/data" -w -l "$T/log" \
  -o "-k $T -c listen_addresses='' -c max_connections=300 -c fsync=off" start >/dev/null
export AUTOBLOG_TEST_DATABASE_URL="postgresql://autoblog@/postgres?host=$T"
echo "run-tests: PostgreSQL at $T"

cd "$BUILD_DIR"
ctest --output-on-failure -j 2 --timeout 600
