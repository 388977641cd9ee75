# shellcheck shell=bash
# The rate-limit half of the AutoBlog benchmark. Sourced by bench/run.sh (never run on its own):
# it uses run.sh's temp dir ($T), PostgreSQL, helpers (log, record, die, check_server, wrk_once,
# record_summary, stop_pid, ...) and traps; the Redis server and autoblog it starts are stopped
# by run.sh's cleanup (REDIS_PID, SERVER_PID) on every exit path.
#
#   6a. in-process limiter decisions/s on one thread: build/ratelimit_bench (Google Benchmark),
#       one hot tenant and 100 000 tenants round-robin; target ≥ 5 M/s each;
#   6b. in-process limiter memory for 100 000 tenants: build/ratelimit_memory; target ≤ 10 MB;
#   6c. a private redis-server (loopback, no persistence) and a second `autoblog serve` with
#       AUTOBLOG_REDIS_URL on the same PostgreSQL; one tenant with its limit raised to 10^9/hour
#       and a brand; wrk on GET /v1/brand, which is one decision of the limiter's script (its
#       calls are batched per event-loop turn; the script also GETs the brand's cache entry: a
#       hit) and no SQL, so req/s = limiter decisions/s through Redis; target ≥ 40 000/s.
#       Cross-checks: the node's autoblog_rate_limit_decisions_total (≈ wrk requests) and
#       autoblog_redis_commands_total (= the EVALSHA calls Redis counted), Redis `INFO
#       commandstats` (EVALSHA, TIME, GET and SET calls: requests per script call), the server's
#       autoblog_rate_limit_fallbacks_total (0) and PostgreSQL's xact_commit (≈ 0);
#   6d. GET /v1/content/{id} with the Redis limiter on over TCP, on over Redis' Unix socket
#       (AUTOBLOG_REDIS_URL=unix://...) and off (AUTOBLOG_RATE_LIMITS=0, else the same config),
#       runs alternated on, unix, off three times, the server restarted (and warmed up for 2 s)
#       before each; cost = (off − on) / off, target ≤ 10 %, for each way of reaching Redis.
# Every wrk run also reports the server's CPU time per request (utime + stime from /proc/PID/stat
# over the run ÷ requests), steadier than req/s on a shared machine.
# BENCH_RL_OLD_BIN=/path/to/an/older/autoblog adds an A/B: after 6c's runs, the same 3 runs of GET
# /v1/brand with that binary (same Redis, database and tenant), a restart before each.
# About 3 minutes (4 with the A/B); every step has a time bound.

RL_GB_MIN_TIME=${BENCH_RL_MIN_TIME:-0.5}

# ------------------------------------------------------------------------------ 6a. in-process
log "ratelimit_bench: in-process limiter, 3 repetitions, min time ${RL_GB_MIN_TIME} s each"
timeout 120 "$RL_BENCH" --benchmark_min_time="$RL_GB_MIN_TIME" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out="$T/ratelimit_bench.json" --benchmark_out_format=json \
  >"$T/ratelimit_bench.stdout" 2>"$T/ratelimit_bench.stderr" ||
  die "ratelimit_bench failed (exit $?): $(tail -20 "$T/ratelimit_bench.stderr")"
s=$("${U[@]}" gbench "$T/ratelimit_bench.json") || die "could not parse ratelimit_bench output"
echo "$s" >>"$RESULTS"
log "  one tenant: $(awk -F= '/^rl_one_per_s=/{printf "%.1f M/s", $2 / 1e6}' <<<"$s"), $(awk -F= '/^rl_many_tenants=/{print $2}' <<<"$s") tenants: $(awk -F= '/^rl_many_per_s=/{printf "%.1f M/s", $2 / 1e6}' <<<"$s") (1 / CPU time per decision)"

log "ratelimit_memory: in-process limiter state for 100 000 tenants"
# Exit status 1 means "over the target": still a result to report, not a failure of the bench.
rc=0
timeout 60 "$RL_MEMORY" 100000 >"$T/ratelimit_memory.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || die "ratelimit_memory failed (exit $rc): $(tail -20 "$T/ratelimit_memory.out")"
s=$("${U[@]}" rlmem "$T/ratelimit_memory.out") || die "could not parse ratelimit_memory output"
echo "$s" >>"$RESULTS"
log "  $(grep 'rate limiter state' "$T/ratelimit_memory.out")"

# ------------------------------------------------------------------------------ 6c. Redis
REDIS_PORT=$("${U[@]}" freeport)
mkdir -p "$T/redis"
log "starting redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --unixsocket "$T/redis/redis.sock" --unixsocketperm 700 \
  --dir "$T/redis" --logfile "$T/redis/redis.log" >"$T/redis/stdout.log" 2>&1 &
REDIS_PID=$!
RCLI=(timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT")
for _ in $(seq 100); do
  alive "$REDIS_PID" || die "redis-server exited: $(tail -5 "$T/redis/redis.log" "$T/redis/stdout.log" 2>/dev/null)"
  [ "$("${RCLI[@]}" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
[ "$("${RCLI[@]}" ping 2>/dev/null)" = PONG ] || die "redis-server did not answer PING: $(tail -5 "$T/redis/redis.log")"
record redis_settings "$(redis-server --version | awk '{print $3}' | sed 's/^v=/Redis /'), 127.0.0.1:$REDIS_PORT (TCP loopback) and $T/redis/redis.sock, --save '' --appendonly no, maxmemory $("${RCLI[@]}" config get maxmemory | tail -1), io-threads $("${RCLI[@]}" config get io-threads | tail -1)"

RL_N=0
RL_BIN=$BIN  # the binary start_rl_server runs (the A/B switches it)
start_rl_server() {  # start_rl_server WHAT [VAR=value...]: autoblog serve with AUTOBLOG_REDIS_URL
  local what=$1; shift
  RL_N=$((RL_N + 1))
  API_PORT=$("${U[@]}" freeport)
  API=http://127.0.0.1:$API_PORT
  SERVER_LOG=$T/server.rl.$RL_N.log
  env AUTOBLOG_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" "$@" \
    "$RL_BIN" serve --listen "127.0.0.1:$API_PORT" --data-dir "$T/data-rl" --workers 0 >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  "${U[@]}" wait-http "$API/health/ready" "$SERVER_PID" 30 ||
    die "autoblog serve ($what) not ready: $(tail -20 "$SERVER_LOG")"
}
restart_rl_server() {  # restart_rl_server WHAT [VAR=value...]
  [ -z "$SERVER_PID" ] || stop_pid "$SERVER_PID" autoblog
  SERVER_PID=""
  start_rl_server "$@"
}
rl_wrk() {  # rl_wrk FILE URL [wrk args...]: wrk_once, plus the server's CPU seconds in FILE.cpu
  local f=$1 c0
  c0=$("${U[@]}" cpu "$SERVER_PID")
  wrk_once "$@"
  echo "$c0 $("${U[@]}" cpu "$SERVER_PID")" >"$f.cpu"
}
xact_commits() {
  "${PG[@]}" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
}

record rl_server_settings "a second server (${RUN_CORE:+the first one stopped; }same PostgreSQL), AUTOBLOG_REDIS_URL=redis://127.0.0.1:$REDIS_PORT, $server_settings"
log "starting autoblog serve with AUTOBLOG_REDIS_URL"
start_rl_server "Redis, limiter on"
SETUP=$("${U[@]}" setup "$API" "$ADMIN" bench-ratelimit) ||
  die "tenant/token/content setup failed (see above); server log: $(tail -20 "$SERVER_LOG")"
eval "$SETUP"   # TENANT_ID SCHEMA TOKEN CONTENT_ID
AUTH=("-H" "Authorization: Bearer $TOKEN")
s=$("${U[@]}" brand "$API" "$TOKEN") || die "PUT/GET /v1/brand failed; server log: $(tail -20 "$SERVER_LOG")"
echo "$s" >>"$RESULTS"
log "bench tenant $TENANT_ID, limit raised to 10^9/hour (X-RateLimit-Limit: ${s#*=}), brand set, content $CONTENT_ID"
sleep 1.5  # let PostgreSQL's statistics catch up with the set-up's transactions

log "wrk GET /v1/brand through Redis: 3 × 10 s"
"${RCLI[@]}" config resetstat >/dev/null
redis_stat() { "${RCLI[@]}" info stats | tr -d '\r' | sed -n "s/^$1://p"; }
reads0=$(redis_stat total_reads_processed)
fallbacks0=$("${U[@]}" metric "$API" autoblog_rate_limit_fallbacks_total)
sent0=$("${U[@]}" metric "$API" autoblog_redis_commands_total)
decided0=$("${U[@]}" metric "$API" autoblog_rate_limit_decisions_total)
sql0=$(xact_commits)
for i in 1 2 3; do
  rl_wrk "$T/wrk.rlbrand.$i" "$API/v1/brand" "${AUTH[@]}"
  check_server "during wrk on /v1/brand"
  log "  run $i: $(awk '/Requests\/sec/{print $2}' "$T/wrk.rlbrand.$i") req/s$(awk '/Non-2xx/{print ", non-2xx: " $NF}' "$T/wrk.rlbrand.$i")"
  sleep 1
done
"${RCLI[@]}" info commandstats >"$T/redis.commandstats" || die "redis-cli info commandstats failed"
reads1=$(redis_stat total_reads_processed)
sleep 1  # idle backends report their statistics within about a second
sql1=$(xact_commits)
fallbacks1=$("${U[@]}" metric "$API" autoblog_rate_limit_fallbacks_total)
sent1=$("${U[@]}" metric "$API" autoblog_redis_commands_total)
decided1=$("${U[@]}" metric "$API" autoblog_rate_limit_decisions_total)
record rl_node_decisions "$(awk -v a="$decided0" -v b="$decided1" 'BEGIN{printf "%.0f", b - a}')"
record rl_node_cmds "$(awk -v a="$sent0" -v b="$sent1" 'BEGIN{printf "%.0f", b - a}')"
# Commands per read on the server: how many commands each client write carried (pipelining).
# The node's own count: Redis' total_commands_processed also counts the commands scripts run.
record rl_cmds_per_read "$(awk -v a="$sent0" -v b="$sent1" -v r=$((reads1 - reads0)) 'BEGIN{printf "%.2f", r ? (b - a) / r : 0}')"
s=$("${U[@]}" wrk "$T"/wrk.rlbrand.{1,2,3}) || die "could not parse wrk output"
record_summary rlbrand "$s"
c=$("${U[@]}" cpu-per-request rlbrand "$T"/wrk.rlbrand.{1,2,3}) || die "could not compute CPU per request"
echo "$c" >>"$RESULTS"
log "GET /v1/brand via Redis: $s; server CPU per request: $(sed -n 's/^rlbrand_cpu_us=//p' <<<"$c") µs"
c=$("${U[@]}" commandstats "$T/redis.commandstats") || die "could not parse INFO commandstats"
record_summary rl "$c"
record rl_fallbacks "$((fallbacks1 - fallbacks0))"
record rl_sql_tx "$((sql1 > sql0 ? sql1 - sql0 - 1 : 0))"  # - 1: the query reading the counter
log "Redis commandstats: $c; fallbacks: $((fallbacks1 - fallbacks0)); SQL transactions: $((sql1 - sql0 - 1))"
if grep -q 'Non-2xx' "$T"/wrk.rlbrand.{1,2,3}; then
  log "non-2xx answers under load; one request now gives: $("${U[@]}" header "$API" /v1/brand "$TOKEN" X-RateLimit-Remaining 2>&1 || true)"
fi

if [ -n "${BENCH_RL_OLD_BIN:-}" ]; then
  [ -x "$BENCH_RL_OLD_BIN" ] || die "BENCH_RL_OLD_BIN=$BENCH_RL_OLD_BIN is not an executable"
  record rl_ab_old_bin "$BENCH_RL_OLD_BIN"
  log "A/B: GET /v1/brand with $BENCH_RL_OLD_BIN, restart + 2 s warm-up before each: 3 × 10 s"
  RL_BIN=$BENCH_RL_OLD_BIN
  for i in 1 2 3; do
    restart_rl_server "Redis, old binary"
    timeout 10 wrk -t2 -c64 -d2s "${AUTH[@]}" "$API/v1/brand" >"$T/wrk.rlbrandold.warm.$i" 2>&1 ||
      die "warm-up wrk failed: $(cat "$T/wrk.rlbrandold.warm.$i")"
    rl_wrk "$T/wrk.rlbrandold.$i" "$API/v1/brand" "${AUTH[@]}"
    check_server "during wrk on /v1/brand (old binary)"
    log "  run $i: $(awk '/Requests\/sec/{print $2}' "$T/wrk.rlbrandold.$i") req/s$(awk '/Non-2xx/{print ", non-2xx: " $NF}' "$T/wrk.rlbrandold.$i")"
    sleep 1
  done
  RL_BIN=$BIN
  s=$("${U[@]}" wrk "$T"/wrk.rlbrandold.{1,2,3}) || die "could not parse wrk output"
  record_summary rlbrand_old "$s"
  c=$("${U[@]}" cpu-per-request rlbrand_old "$T"/wrk.rlbrandold.{1,2,3}) || die "could not compute CPU per request"
  echo "$c" >>"$RESULTS"
  log "old binary, GET /v1/brand via Redis: $s; server CPU per request: $(sed -n 's/^rlbrand_old_cpu_us=//p' <<<"$c") µs"
fi

# ------------------------------------------------------------------------------ 6d. on vs off
log "GET /v1/content/{id}, Redis limiter on (TCP), on (Unix socket) and off, alternated, restart + 2 s warm-up before each: 9 × 10 s"
for i in 1 2 3; do
  for mode in on unix off; do
    case $mode in
      on) restart_rl_server "Redis, limiter on" ;;
      unix) restart_rl_server "Redis over its Unix socket, limiter on" \
        AUTOBLOG_REDIS_URL="unix://$T/redis/redis.sock" ;;
      off) restart_rl_server "Redis, limiter off" AUTOBLOG_RATE_LIMITS=0 ;;
    esac
    h=$("${U[@]}" header "$API" "/v1/content/$CONTENT_ID" "$TOKEN" X-RateLimit-Limit) ||
      die "GET /v1/content/$CONTENT_ID failed (limiter $mode); server log: $(tail -20 "$SERVER_LOG")"
    if [ "$mode" != off ] && [ "$h" = none ]; then die "limiter $mode, but GET /v1/content/{id} has no X-RateLimit-Limit header"; fi
    if [ "$mode" = off ] && [ "$h" != none ]; then die "AUTOBLOG_RATE_LIMITS=0, but GET /v1/content/{id} still has X-RateLimit-Limit: $h"; fi
    timeout 10 wrk -t2 -c64 -d2s "${AUTH[@]}" "$API/v1/content/$CONTENT_ID" >"$T/wrk.rl$mode.warm.$i" 2>&1 ||
      die "warm-up wrk failed: $(cat "$T/wrk.rl$mode.warm.$i")"
    rl_wrk "$T/wrk.rl$mode.$i" "$API/v1/content/$CONTENT_ID" "${AUTH[@]}"
    check_server "during wrk on /v1/content with the limiter $mode"
    log "  run $i, limiter $mode: $(awk '/Requests\/sec/{print $2}' "$T/wrk.rl$mode.$i") req/s$(awk '/Non-2xx/{print ", non-2xx: " $NF}' "$T/wrk.rl$mode.$i")"
    sleep 1
  done
done
stop_pid "$SERVER_PID" autoblog
SERVER_PID=""
for mode in on unix off; do
  s=$("${U[@]}" wrk "$T"/wrk.rl$mode.{1,2,3}) || die "could not parse wrk output"
  record_summary "rl$mode" "$s"
  c=$("${U[@]}" cpu-per-request "rl$mode" "$T"/wrk.rl$mode.{1,2,3}) || die "could not compute CPU per request"
  echo "$c" >>"$RESULTS"
  log "limiter $mode: $s; server CPU per request: $(sed -n "s/^rl${mode}_cpu_us=//p" <<<"$c") µs"
done
record rl_server_log "$(server_log_summary "$T"/server.rl.*.log) over $RL_N starts"
if [ "$(cat "$T"/server.rl.*.log | wc -l)" -gt 0 ]; then
  log "server logs with Redis (last 10 lines of $RL_N starts):"
  tail -q -n 10 "$T"/server.rl.*.log | tail -10 | cut -c1-300
fi
stop_pid "$REDIS_PID" redis-server
REDIS_PID=""
