#!/usr/bin/env bash
# Starts the services the tests need (a private PostgreSQL cluster on a unix socket), runs every
# test with ctest, and stops the services whatever happens. Usage: run-tests.sh [BUILD_DIR]
# AUTOBLOG_CTEST_ARGS adds ctest arguments, e.g. AUTOBLOG_CTEST_ARGS='-R e2e.test_quickstart'
# to run a subset with the same services.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}

PG_BIN=${AUTOBLOG_PG_BIN:-/usr/lib/postgresql/15/bin}
T=$(mktemp -d /tmp/abt.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  as_pg "$PG_BIN/pg_ctl" -D "$T/data" -m immediate -w stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$T"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # wait_port PORT NAME
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "run-tests: $2 did not start on port $1" >&2
  return 1
}
trap cleanup EXIT
chmod 755 "$T"
[ "$(id -u)" = 0 ] && chown postgres "$T"
as_pg "$PG_BIN/initdb" -D "$T/data" -A trust -U autoblog --no-sync -E UTF8 --locale=C >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$T/data" -w -l "$T/log" \
  -o "-k $T -c listen_addresses='' -c max_connections=300 -c fsync=off" start >/dev/null
export AUTOBLOG_TEST_DATABASE_URL="postgresql://autoblog@/postgres?host=$T"
echo "run-tests: PostgreSQL at $T"

# Redis: a private server on a free port, nothing persisted.
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$T" --logfile "$T/redis.log" &
PIDS+=($!)
wait_port "$REDIS_PORT" redis
export AUTOBLOG_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
echo "run-tests: Redis at $AUTOBLOG_TEST_REDIS_URL"

# S3: the s3rver emulator (npm, pinned in package-lock.json) with bucket "autoblog".
if [ -x node_modules/.bin/s3rver ]; then
  S3_PORT=$(free_port)
  # s3rver 3.7.1 uses a cipher Node 20 only offers with the legacy provider (listing pages).
  NODE_OPTIONS=--openssl-legacy-provider node_modules/.bin/s3rver -d "$T/s3" -a 127.0.0.1 -p "$S3_PORT" --configure-bucket autoblog \
    --silent >"$T/s3rver.log" 2>&1 &
  PIDS+=($!)
  wait_port "$S3_PORT" s3rver
  export AUTOBLOG_TEST_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
  echo "run-tests: S3 (s3rver) at $AUTOBLOG_TEST_S3_ENDPOINT"
fi

cd "$BUILD_DIR"
# Word splitting of AUTOBLOG_CTEST_ARGS is intended: it holds several arguments.
# shellcheck disable=SC2086
ctest --output-on-failure -j 2 --timeout 600 ${AUTOBLOG_CTEST_ARGS:-}
