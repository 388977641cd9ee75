#!/usr/bin/env bash
# A/B of two autoblog binaries on tenant reads (bench/tenant_reads.py: one tenant and round-robin
# over every tenant), on one private PostgreSQL cluster and one database holding the tenants, the
# binaries alternated ROUNDS times, each server started fresh (so each round also pays the
# backends' cold start over the tenants, as a restarted node does).
#
#     bash bench/ab_tenant_reads.sh OLD_BINARY NEW_BINARY [ROUNDS=2] [TENANTS=1000]
#
# Prints tenant_reads.py's "round 1" lines per binary and round (its pgbench floor runs too,
# unprinted). Compare figures of one run only.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,10p "$0"; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2"); ROUNDS=${3:-2}; TENANTS=${4:-1000}
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
T=$(mktemp -d /tmp/abtr.XXXXXX)
chmod 755 "$T"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$T"
as_pg "$PGBIN/initdb" -D "$T/data" -A trust -U autoblog --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$T/data" -w -l "$T/pg.log" \
  -o "-k $T -c listen_addresses='' -c max_connections=300" start >/dev/null
SPID=
cleanup() {
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$T/data" -m fast -w stop >/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
psql "postgresql://autoblog@/postgres?host=$T" -qc "CREATE DATABASE autoblog" >/dev/null
PORT=$((19000 + RANDOM % 500))
ADMIN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
JWT=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
start() {
  rm -rf "$T/srv"
  env AUTOBLOG_DATABASE_URL="postgresql://autoblog@/autoblog?host=$T" AUTOBLOG_ADMIN_TOKEN="$ADMIN" \
    AUTOBLOG_JWT_SECRET="$JWT" AUTOBLOG_ACCESS_LOG=0 AUTOBLOG_LOG_LEVEL=warn \
    "$1" serve --listen "127.0.0.1:$PORT" --data-dir "$T/srv" --workers 0 >"$T/server.log" 2>&1 &
  SPID=$!
  for _ in $(seq 100); do curl -sf "localhost:$PORT/health" >/dev/null && return; sleep 0.1; done
  echo "server $1 did not start: $(tail -5 "$T/server.log")" >&2
  exit 1
}
stop() { kill "$SPID"; wait "$SPID" || true; SPID=; }
start "$OLD"
python3 "$BENCH_DIR/tenants.py" create "http://127.0.0.1:$PORT" "$ADMIN" "$TENANTS" 120 \
  "$T/ids" >/dev/null
stop
mkdir -p "$T/out"
for round in $(seq "$ROUNDS"); do
  for bin in "$OLD" "$NEW"; do
    start "$bin"
    echo "== $bin, round $round"
    (cd "$BENCH_DIR" && TR_ROUNDS=1 python3 tenant_reads.py "http://127.0.0.1:$PORT" "$ADMIN" \
      "$T/ids" "$T/data" "$T" "$SPID" "$T/out" 2>&1 | grep -E "round 1|failed|Error|Traceback")
    stop
  done
done
