#!/usr/bin/env bash
# AutoBlog benchmark (`make bench` runs `bash bench/run.sh build`).
#
# Everything runs on this machine over loopback / unix sockets, in a temp dir under /tmp:
#   1. a private PostgreSQL 15 cluster (max_connections=300, fsync and synchronous_commit on);
#   2. `autoblog serve` against it; one tenant, one token, one content item;
#   3. wrk on GET /v1/content/{id} vs pgbench running the same tenant transaction;
#   4. wrk on autoblog GET /health vs nginx `return 200`;
#   5. 1 000 tenants: creation through the admin API, `autoblog migrate` with nothing to do, a
#      migration adding a column and an index to every tenant, server RSS after touching them all;
#      then tenant reads at scale (bench/tenant_reads.py): GET /v1/content/{id} for one tenant
#      and round-robin over all of them, alternated, with CPU per request of the server and of
#      PostgreSQL, and pgbench SELECT * by primary key as the database's floor;
#   6. rate limits: the in-process limiter's decisions/s (build/ratelimit_bench, Google Benchmark,
#      one thread) and memory for 100 000 tenants (build/ratelimit_memory); then a private
#      redis-server and a second `autoblog serve` with AUTOBLOG_REDIS_URL on the same PostgreSQL:
#      wrk on GET /v1/brand (one decision of the limiter's batched script calls per request, the
#      script also reading the brand cache entry; no SQL) with the node's decisions and commands
#      and Redis
#      `INFO commandstats` as a cross-check, and GET /v1/content/{id} with the limiter on (Redis
#      over TCP and over its Unix socket) and off (AUTOBLOG_RATE_LIMITS=0), alternated, the
#      server restarted before each run;
#   7. a markdown summary on stdout and in bench/results/latest.md.
# Before all of these (either half), bench/quality.sh: quality scoring of a 2 000-word article
# (build/quality_bench, Google Benchmark, one thread; pure CPU, no services; a few seconds), and
# bench/feeds.sh: parsing a 1 MB RSS and Atom feed (build/feed_bench, likewise).
# Steps 2-5 are the platform-core half, step 6 the rate-limit half; BENCH_ONLY=core or
# BENCH_ONLY=ratelimit runs just one (default: both).
# Every step has a time bound; both halves take about 7 minutes on 2 cores (≤ 10 min): core
# about 5 (≤ 8, of which tenant reads about 2), rate limits about 2.
# Environment knobs: AUTOBLOG_DB_POOL_SIZE (default 16), AUTOBLOG_IO_THREADS (default: cores),
# BENCH_TENANTS (default 1000), BENCH_KEEP_TMP=1 (keep the temp dir and logs),
# BENCH_SERVER_LOG_LEVEL (default warn), BENCH_BUDGET_S (default 480, for the core half),
# BENCH_ONLY (core|ratelimit, default both).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${1:-build}
if [ -d "$BUILD" ]; then BUILD=$(cd "$BUILD" && pwd); elif [ -d "$ROOT/$BUILD" ]; then BUILD=$ROOT/$BUILD; fi
BIN=$BUILD/autoblog
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
NGINX=${NGINX:-/usr/sbin/nginx}
N_TENANTS=${BENCH_TENANTS:-1000}
RL_BENCH=$BUILD/ratelimit_bench
RL_MEMORY=$BUILD/ratelimit_memory
QUALITY_BENCH=$BUILD/quality_bench
case "${BENCH_ONLY:-}" in
  "" | both) BENCH_ONLY="" RUN_CORE=1 RUN_RL=1 ;;
  core) RUN_CORE=1 RUN_RL="" ;;
  ratelimit) RUN_CORE="" RUN_RL=1 ;;
  *) echo "bench: BENCH_ONLY must be core or ratelimit (or unset for both), not '$BENCH_ONLY'" >&2; exit 2 ;;
esac
OUT_MD=$ROOT/bench/results/latest.md
START_TS=$(date +%s.%N)

T="" RESULTS="" SERVER_PID="" NGINX_PID="" REDIS_PID="" PG_STARTED="" SERVER_LOG=""

log() { printf '[bench %5.1fs] %s\n' "$(awk "BEGIN{print $(date +%s.%N) - $START_TS}")" "$*"; }
# cap DEFAULT RESERVE: a time bound for the next step, at most DEFAULT seconds, leaving RESERVE
# seconds of the 8-minute budget (BENCH_BUDGET_S) for the steps after it; never below 5 s.
cap() {
  awk -v d="$1" -v r="$2" -v b="${BENCH_BUDGET_S:-480}" -v now="$(date +%s.%N)" -v t0="$START_TS" \
    'BEGIN { v = b - (now - t0) - r; if (v > d) v = d; if (v < 5) v = 5; printf "%d", v }'
}
record() { printf '%s=%s\n' "$1" "$2" >>"$RESULTS"; }

finish_report() {
  record loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg) at the end (this benchmark itself adds about 2)"
  record duration_s "$(awk "BEGIN{printf \"%.0f\", $(date +%s.%N) - $START_TS}")"
  python3 "$BENCH_DIR/util.py" report "$RESULTS" "$OUT_MD"
  log "summary written to ${OUT_MD#"$ROOT"/}"
}

die() {
  trap - ERR
  echo "bench: ERROR: $*" >&2
  if [ -n "$RESULTS" ] && [ -f "$RESULTS" ]; then
    record aborted "$*"
    finish_report || true
  fi
  exit 1
}

alive() {  # alive PID: running and not a zombie
  local st
  st=$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$st" ] && [ "$st" != Z ]
}

stop_pid() {  # stop_pid PID NAME: TERM, wait up to 10 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then echo "bench: $2 (pid $pid) ignored SIGTERM; killing" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM ERR
  [ -n "$SERVER_PID" ] && stop_pid "$SERVER_PID" autoblog
  [ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID" nginx
  [ -n "$REDIS_PID" ] && stop_pid "$REDIS_PID" redis-server
  if [ -n "$PG_STARTED" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -m fast -w -t 20 stop >/dev/null 2>&1 || {
      pid=$(head -1 "$T/pg/data/postmaster.pid" 2>/dev/null || true)
      [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    }
  fi
  if [ -n "$T" ]; then
    if [ "${BENCH_KEEP_TMP:-0}" = 1 ] || [ "$rc" != 0 ]; then echo "bench: logs kept in $T" >&2
    else rm -rf "$T"; fi
  fi
  exit "$rc"
}
set -E
on_err() {  # set -E makes subshells inherit this trap; only the main shell reports
  local rc=$? line=$1 cmd=$2
  [ "$BASHPID" = "$$" ] || exit "$rc"
  die "unexpected failure (exit $rc) at line $line: $cmd"
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------------------ prerequisites
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found — run scripts/install-deps.sh bench (package $2)"; }
need python3 python3
need wrk wrk
need awk gawk/mawk
need timeout coreutils
if [ -n "$RUN_CORE" ]; then
  [ -x "$NGINX" ] || die "$NGINX not found — run scripts/install-deps.sh bench (package nginx-light)"
fi
for b in initdb pg_ctl psql ${RUN_CORE:+pgbench}; do
  [ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found — run scripts/install-deps.sh bench (postgresql-15, postgresql-client-15)"
done
if [ -n "$RUN_RL" ]; then
  need redis-server redis-server
  need redis-cli redis-tools
  for b in "$RL_BENCH" "$RL_MEMORY"; do
    [ -x "$b" ] || die "$b not found — build first (make build; CMake builds it from bench/$(basename "$b").cpp)"
  done
fi
[ "$(id -u)" != 0 ] || need runuser util-linux
[ -x "$BIN" ] || die "$BIN not found — build first (make build)"
PSQL=("$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1)

T=$(mktemp -d /tmp/abb.XXXX)
chmod 755 "$T"
RESULTS=$T/results.env
: >"$RESULTS"
U=(python3 "$BENCH_DIR/util.py")

record date "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
record bench_only "$BENCH_ONLY"
record host_cpus "$(nproc)"
record cpu_model "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
record kernel "$(uname -sr)"
record loadavg "$(cut -d' ' -f1-3 /proc/loadavg) at start (other work on the machine skews every figure)"
git_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null | head -1)" ] || git_rev="$git_rev (+ uncommitted changes)"
record git "$git_rev"
tools="$( (wrk --version 2>&1 || true) | head -1 | awk '{print $1, $2}')"
[ -z "$RUN_CORE" ] || tools="$tools, $("$PGBIN/pgbench" --version), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"
[ -z "$RUN_RL" ] || tools="$tools, $(redis-server --version | awk '{print $1, $2, $3}')"
record tools "$tools"
record cpu_sharing "all $(nproc) cores are shared by wrk (2 threads), autoblog serve, PostgreSQL${RUN_CORE:+, nginx, pgbench}${RUN_RL:+ and Redis}: the load generator competes with the servers for CPU, so every throughput figure is lower than on dedicated machines"

# ------------------------------------------------------------------------------ 0. quality scores
# shellcheck source=bench/quality.sh
. "$BENCH_DIR/quality.sh"
# shellcheck source=bench/feeds.sh
. "$BENCH_DIR/feeds.sh"

# ------------------------------------------------------------------------------ 1. PostgreSQL
log "starting PostgreSQL 15 in $T/pg"
mkdir -p "$T/pg"
[ "$(id -u)" != 0 ] || chown postgres "$T/pg"
as_pg "$PGBIN/initdb" -D "$T/pg/data" -A trust -U autoblog --no-sync >"$T/initdb.log" 2>&1 ||
  die "initdb failed: $(tail -5 "$T/initdb.log")"
PG_STARTED=1
as_pg "$PGBIN/pg_ctl" -D "$T/pg/data" -w -t 30 -l "$T/pg/log" \
  -o "-k $T/pg -c listen_addresses='' -c max_connections=300" start >/dev/null ||
  die "PostgreSQL did not start: $(tail -5 "$T/pg/log" 2>/dev/null)"
"${PSQL[@]}" -h "$T/pg" -U autoblog -d postgres -c 'CREATE DATABASE autoblog' || die "CREATE DATABASE failed"
PG=("${PSQL[@]}" -h "$T/pg" -U autoblog -d autoblog)
pg_settings=$("${PG[@]}" -c "SELECT format('%s; unix socket only; fsync=%s, synchronous_commit=%s, full_page_writes=%s, shared_buffers=%s, max_connections=%s (initdb --no-sync only skips flushing the initdb files)', regexp_replace(version(), ' on .*', ''), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes'), current_setting('shared_buffers'), current_setting('max_connections'))")
record pg_settings "$pg_settings"
log "PostgreSQL: $pg_settings"

# ------------------------------------------------------------------------------ server settings
# Shared by both halves (the rate-limit half's server adds AUTOBLOG_REDIS_URL).
ADMIN=$(python3 -c 'import secrets; print("adm_" + secrets.token_hex(20))')
export AUTOBLOG_DATABASE_URL="postgresql://autoblog@/autoblog?host=$T/pg"
export AUTOBLOG_ADMIN_TOKEN=$ADMIN
AUTOBLOG_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export AUTOBLOG_JWT_SECRET
export AUTOBLOG_ACCESS_LOG=0 AUTOBLOG_LOG_LEVEL=${BENCH_SERVER_LOG_LEVEL:-warn}
export AUTOBLOG_DB_POOL_SIZE=${AUTOBLOG_DB_POOL_SIZE:-16}
io_threads="${AUTOBLOG_IO_THREADS:-default ($(nproc) = cores)}"
server_settings="--workers 0, AUTOBLOG_DB_POOL_SIZE=$AUTOBLOG_DB_POOL_SIZE, AUTOBLOG_IO_THREADS=$io_threads, AUTOBLOG_ACCESS_LOG=0, AUTOBLOG_LOG_LEVEL=$AUTOBLOG_LOG_LEVEL, DB over unix socket"

check_server() {  # check_server WHEN: die with the log tail if the server ($SERVER_PID) has exited
  alive "$SERVER_PID" || { SERVER_PID_DEAD=$SERVER_PID; wait "$SERVER_PID" && rc=0 || rc=$?; SERVER_PID="";
    die "autoblog serve (pid $SERVER_PID_DEAD) died ($1), exit status $rc; log tail: $(tail -20 "$SERVER_LOG")"; }
}
wrk_once() {  # wrk_once FILE URL [extra wrk args...]
  local f=$1 url=$2; shift 2
  timeout 25 wrk -t2 -c64 -d10s --latency "$@" "$url" >"$f" 2>&1 || die "wrk failed on $url: $(cat "$f")"
}
record_summary() {  # record_summary PREFIX "k=v k=v ..."
  local kv
  for kv in $2; do record "$1_${kv%%=*}" "${kv#*=}"; done
}
server_log_summary() {  # server_log_summary FILE...: "N lines ..., M error-level"
  local lines errs
  lines=$(cat "$@" | wc -l)
  errs=$(cat "$@" | grep -ciE '"?level"?[:=]? *"?(error|critical|fatal)|\[(error|critical)\]' || true)
  echo "$lines lines at AUTOBLOG_LOG_LEVEL=$AUTOBLOG_LOG_LEVEL, $errs error-level"
}

if [ -n "$RUN_CORE" ]; then  # ========================================= platform-core half (2-5)
# ------------------------------------------------------------------------------ 2. server
API_PORT=$("${U[@]}" freeport)
API=http://127.0.0.1:$API_PORT
record server_settings "$server_settings"
SERVER_LOG=$T/server.log

log "starting autoblog serve on $API"
"$BIN" serve --listen "127.0.0.1:$API_PORT" --data-dir "$T/data" --workers 0 >"$T/server.log" 2>&1 &
SERVER_PID=$!
"${U[@]}" wait-http "$API/health/ready" "$SERVER_PID" 60 ||
  die "server not ready: $(tail -20 "$T/server.log")"
record rss_start_kb "$("${U[@]}" rss "$SERVER_PID")"

SETUP=$("${U[@]}" setup "$API" "$ADMIN") || die "tenant/token/content setup failed (see above); server log: $(tail -20 "$T/server.log")"
eval "$SETUP"   # TENANT_ID SCHEMA TOKEN CONTENT_ID
log "bench tenant $TENANT_ID ($SCHEMA), content $CONTENT_ID"

# ------------------------------------------------------------------------------ 3. API vs pgbench

log "wrk GET /v1/content/{id}: 3 × 10 s"
for i in 1 2 3; do
  wrk_once "$T/wrk.api.$i" "$API/v1/content/$CONTENT_ID" -H "Authorization: Bearer $TOKEN"
  check_server "during wrk on /v1/content"
  log "  run $i: $(awk '/Requests\/sec/{print $2}' "$T/wrk.api.$i") req/s$(awk '/Non-2xx/{print ", non-2xx: " $NF}' "$T/wrk.api.$i")"
  sleep 1
done
s=$("${U[@]}" wrk "$T"/wrk.api.{1,2,3}) || die "could not parse wrk output"
record_summary api "$s"
log "API: $s"
if grep -q 'Non-2xx' "$T/wrk.api.1" "$T/wrk.api.2" "$T/wrk.api.3"; then
  status_sample=$(python3 - "$API" "$CONTENT_ID" "$TOKEN" <<'EOF'
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
c.request("GET", "/v1/content/" + sys.argv[2], headers={"Authorization": "Bearer " + sys.argv[3]})
r = c.getresponse(); print(r.status, r.read()[:300])
EOF
  ) || true
  log "non-2xx answers under load; one request now gives: $status_sample"
fi

# The API's statement for this read: one schema-qualified SELECT (the statement deadline is the
# session's default, set when the connection opens).
cat >"$T/tenant_tx.sql" <<EOF
SELECT id, status, inspiration_data, content_brief, generated_content, visual_assets, quality_scores, published_at, created_at, updated_at FROM "$SCHEMA".content_pipelines WHERE id = '$CONTENT_ID';
EOF
log "pgbench the API's statement (simple protocol), server idle: 3 × 10 s"
for i in 1 2 3; do
  timeout 30 "$PGBIN/pgbench" -n -c 64 -j 2 -T 10 -f "$T/tenant_tx.sql" -h "$T/pg" -U autoblog autoblog \
    >"$T/pgbench.$i" 2>&1 || die "pgbench failed: $(tail -20 "$T/pgbench.$i")"
  log "  run $i: $(awk '/^tps = /{print $3}' "$T/pgbench.$i") tps"
  sleep 1
done
s=$("${U[@]}" pgbench "$T"/pgbench.{1,2,3}) || die "could not parse pgbench output"
record_summary pgbench "$s"
log "pgbench: $s"
check_server "while idle during pgbench"

# ------------------------------------------------------------------------------ 4. /health vs nginx
NG=$T/nginx
mkdir -p "$NG/tmp"
NGINX_PORT=$("${U[@]}" freeport)
cat >"$NG/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $NG/tmp/body;
  proxy_temp_path $NG/tmp/proxy;
  fastcgi_temp_path $NG/tmp/fastcgi;
  uwsgi_temp_path $NG/tmp/uwsgi;
  scgi_temp_path $NG/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
EOF
"$NGINX" -t -q -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" >"$NG/test.log" 2>&1 ||
  die "nginx config test failed: $(cat "$NG/test.log" "$NG/error.log" 2>/dev/null)"
"$NGINX" -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" >"$NG/stdout.log" 2>&1 &
NGINX_PID=$!
"${U[@]}" wait-http "http://127.0.0.1:$NGINX_PORT/" "$NGINX_PID" 10 || die "nginx did not start: $(cat "$NG/error.log")"
record nginx_settings "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), worker_processes auto ($(nproc)), access_log off, keepalive_requests 1000000, return 200 '{\"status\":\"ok\"}'"

log "wrk autoblog /health vs nginx /, interleaved: 3 × 10 s each"
for i in 1 2 3; do
  wrk_once "$T/wrk.health.$i" "$API/health"
  check_server "during wrk on /health"
  sleep 1
  wrk_once "$T/wrk.nginx.$i" "http://127.0.0.1:$NGINX_PORT/"
  log "  run $i: autoblog $(awk '/Requests\/sec/{print $2}' "$T/wrk.health.$i"), nginx $(awk '/Requests\/sec/{print $2}' "$T/wrk.nginx.$i") req/s"
  sleep 1
done
s=$("${U[@]}" wrk "$T"/wrk.health.{1,2,3}) || die "could not parse wrk output"; record_summary health "$s"; log "autoblog /health: $s"
s=$("${U[@]}" wrk "$T"/wrk.nginx.{1,2,3}) || die "could not parse wrk output"; record_summary nginx "$s"; log "nginx: $s"
stop_pid "$NGINX_PID" nginx
NGINX_PID=""

# ------------------------------------------------------------------------------ 5. many tenants
lim=$(cap 80 70)
log "creating $N_TENANTS tenants through the admin API (one keep-alive connection, ≤ $lim s)"
s=$(timeout $((lim + 30)) python3 "$BENCH_DIR/tenants.py" create "$API" "$ADMIN" "$N_TENANTS" "$lim" "$T/tenant_ids") ||
  { check_server "during tenant creation"; die "tenant creation failed"; }
echo "$s" >>"$RESULTS"
log "tenants: $(echo "$s" | tr '\n' ' ')"
check_server "during tenant creation"
tenants_total=$("${PG[@]}" -c "SELECT count(*) FROM autoblog_core.tenants WHERE status <> 'deleted'")
record tenants_total "$tenants_total"

migrate_timed() {  # migrate_timed PREFIX TIMEOUT [migrate args...]; records PREFIX_s, _rc
  local p=$1 lim=$2 t0 t1 rc; shift 2
  t0=$(date +%s.%N)
  timeout "$lim" "$BIN" migrate "$@" >"$T/$p.out" 2>"$T/$p.err" && rc=0 || rc=$?
  t1=$(date +%s.%N)
  record "${p}_s" "$(awk "BEGIN{printf \"%.2f\", $t1 - $t0}")"
  record "${p}_rc" "$rc"
  log "  exit $rc, $(awk "BEGIN{printf \"%.2f\", $t1 - $t0}") s wall: $(cat "$T/$p.out")"
  [ "$rc" = 0 ] || log "  stderr: $(tail -c 2000 "$T/$p.err")"
  [ "$rc" != 124 ] || log "  (killed by the ${lim}-s time bound)"
}

log "autoblog migrate with nothing to do ($tenants_total tenants)"
migrate_timed migrate_noop "$(cap 30 60)"

MIGDIR=$T/tenant-migrations
mkdir -p "$MIGDIR"
ls "$ROOT"/migrations/tenant/*.sql >/dev/null 2>&1 || die "no tenant migrations in $ROOT/migrations/tenant"
cp "$ROOT"/migrations/tenant/*.sql "$MIGDIR"/
last=$(ls "$MIGDIR" | sed -n 's/^\([0-9]\{1,\}\)_.*\.sql$/\1/p' | sort -n | tail -1)
next=$(printf '%04d' $((10#${last:-0} + 1)))
cat >"$MIGDIR/${next}_bench_col.sql" <<'EOF'
-- bench/run.sh: a typical additive change applied to every tenant schema.
ALTER TABLE content_pipelines ADD COLUMN bench_score integer;
CREATE INDEX content_pipelines_bench_score ON content_pipelines (bench_score);
EOF
log "autoblog migrate --jobs 4 adding column + index (${next}_bench_col.sql) to every tenant"
migrate_timed migrate_col "$(cap 75 20)" --jobs 4 --tenant-migrations-dir "$MIGDIR"
verified=$("${PG[@]}" -c "SELECT least(
  (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relname = 'content_pipelines' AND a.attname = 'bench_score' AND NOT a.attisdropped),
  (SELECT count(*) FROM pg_indexes WHERE indexname = 'content_pipelines_bench_score'))")
record migrate_col_verified "$verified"
log "  schemas with the new column and index: $verified of $tenants_total"
check_server "during migrations"

log "one token + GET /v1/tenant for each created tenant, then VmRSS"
lim=$(cap 60 5)
s=$(timeout $((lim + 20)) python3 "$BENCH_DIR/tenants.py" touch "$API" "$ADMIN" "$T/tenant_ids" "$lim") ||
  { check_server "while touching tenants"; die "touching tenants failed"; }
echo "$s" >>"$RESULTS"
check_server "while touching tenants"
rss_kb=$("${U[@]}" rss "$SERVER_PID")
record rss_kb "$rss_kb"
log "tenants touched: $(echo "$s" | tr '\n' ' '); VmRSS $((rss_kb / 1024)) MB"

# ------------------------------------------------------------------------------ 5b. tenant reads
log "tenant reads: one tenant vs round-robin over every created tenant, alternated"
s=$(cd "$BENCH_DIR" && timeout "$(cap 240 5)" python3 tenant_reads.py "$API" "$ADMIN" "$T/tenant_ids" \
      "$T/pg/data" "$T/pg" "$SERVER_PID" "$T") ||
  { check_server "during tenant reads"; die "tenant reads failed"; }
echo "$s" >>"$RESULTS"
log "tenant reads: $(echo "$s" | tr '\n' ' ')"
check_server "during tenant reads"

record server_log "$(server_log_summary "$T/server.log")"
lines=$(wc -l <"$T/server.log")
if [ "$lines" -gt 0 ]; then
  log "server log (last 10 of $lines lines):"
  tail -10 "$T/server.log" | cut -c1-300
fi
stop_pid "$SERVER_PID" autoblog
SERVER_PID=""
fi  # ================================================================== end of platform-core half

if [ -n "$RUN_RL" ]; then  # =============================================== rate-limit half (6)
# shellcheck source=bench/ratelimit.sh
. "$BENCH_DIR/ratelimit.sh"
fi

# ------------------------------------------------------------------------------ 6b. job queue
# Its own PostgreSQL cluster and worker processes (bench/jobs.py); report in bench/results/jobs.md.
if [ -z "$BENCH_ONLY" ] || [ "${BENCH_JOBS_ONLY:-}" = 1 ]; then
  log "job queue: throughput, idle latency, dead tuples (bench/jobs.py, about 2 minutes)"
  timeout 300 python3 "$BENCH_DIR/jobs.py" "$BUILD" || log "job queue benchmark failed"
  log "content engine: platform CPU per article, provider excluded (bench/content_engine.py, under a minute)"
  timeout 300 python3 "$BENCH_DIR/content_engine.py" "$BUILD" || log "content engine benchmark failed"
  log "hosted blog: a cached post page under wrk (bench/hosted.py, about 30 seconds)"
  timeout 180 python3 "$BENCH_DIR/hosted.py" "$BUILD" | tee "$ROOT/bench/results/hosted.md" \
    || log "hosted blog benchmark failed"
fi

# ------------------------------------------------------------------------------ 7. summary
finish_report
