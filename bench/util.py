#!/usr/bin/env python3
"""Small helpers for bench/run.sh (Python 3 standard library only).

Subcommands:
  freeport                         print a free loopback TCP port (bind to port 0)
  wait-http URL PID TIMEOUT        wait until URL answers 200 while process PID lives
  setup BASE ADMIN_TOKEN [NAME]    create the bench tenant, lift its rate limit, issue a token,
                                   create one content item; print shell assignments
  wrk FILE...                      summarise wrk outputs: median req/s, errors, p99, requests
  pgbench FILE...                  summarise pgbench outputs: median tps, failures
  rss PID                          VmRSS of PID in kB
  brand BASE TOKEN                 PUT /v1/brand once, then GET it twice (the second is a cache
                                   hit); check 200 and the X-RateLimit-* headers
  gbench JSON_FILE                 key=value lines from Google Benchmark JSON (ratelimit_bench)
  quality JSON_FILE                key=value lines from quality_bench's Google Benchmark JSON
  feeds JSON_FILE                  key=value lines from feed_bench's Google Benchmark JSON
  rlmem OUTPUT_FILE                key=value lines from ratelimit_memory's output
  commandstats FILE                calls of EVALSHA / GET / other commands from `INFO commandstats`
  metric BASE NAME                 sum of the samples of Prometheus metric NAME at BASE/metrics
  header BASE PATH TOKEN NAME      GET PATH with the token; print header NAME or "none" (HTTP 200)
  report RESULTS OUT_MD            render the markdown summary from key=value lines
"""
import http.client
import json
import os
import re
import socket
import statistics
import sys
import time
import urllib.parse


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def freeport():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def process_alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except OSError:
        return False
    return True


def wait_http(url, pid, timeout):
    u = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + float(timeout)
    last = "no answer"
    while time.monotonic() < deadline:
        if not process_alive(int(pid)):
            die(f"process {pid} exited while waiting for {url} (last: {last})")
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
            c.request("GET", u.path or "/")
            r = c.getresponse()
            body = r.read()
            c.close()
            if r.status == 200:
                return
            last = f"HTTP {r.status} {body[:200]!r}"
        except OSError as e:
            last = str(e)
        time.sleep(0.1)
    die(f"{url} not ready after {timeout} s (last: {last})")


class Api:
    """One keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, base, timeout=30):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.conn = None

    def call(self, method, path, token, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                raw = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = raw.decode(errors="replace")
                return r.status, parsed
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def expect(what, status, body, want):
    if status != want:
        die(f"{what}: expected HTTP {want}, got {status}: {str(body)[:500]}")
    return body


def setup(base, admin, name="bench-content"):
    api = Api(base)
    t = expect("create tenant", *api.call("POST", "/v1/admin/tenants", admin,
                                          {"name": name}), 201)
    tid, schema = t["id"], t["schema_name"]
    if not re.fullmatch(r"tenant_[0-9a-f_]{36}", schema):
        die(f"unexpected schema_name {schema!r}")
    # The starter tier allows 500 requests/hour; the load test needs far more.
    expect("lift rate limit", *api.call("PATCH", f"/v1/admin/tenants/{tid}", admin,
                                        {"limits": {"requests_per_hour": 1000000000}}), 200)
    tok = expect("issue token", *api.call("POST", f"/v1/admin/tenants/{tid}/tokens", admin,
                                          {"ttl_seconds": 7200}), 201)["token"]
    item = expect("create content", *api.call(
        "POST", "/v1/content", tok,
        {"inspiration_data": {"source": "bench", "topic": "load testing a multi-tenant API",
                              "keywords": ["wrk", "pgbench", "latency"]}}), 201)
    cid = item["id"]
    got = expect("read content", *api.call("GET", f"/v1/content/{cid}", tok), 200)
    if not isinstance(got, dict) or got.get("id") != cid:
        die(f"GET /v1/content/{cid} returned {str(got)[:300]}")
    print(f"TENANT_ID={tid}\nSCHEMA={schema}\nTOKEN={tok}\nCONTENT_ID={cid}")


def median_or_none(values):
    return statistics.median(values) if values else None


def wrk_summary(files):
    rps, errors, non2xx, p99, requests = [], 0, 0, [], 0
    for fn in files:
        text = open(fn).read()
        m = re.search(r"Requests/sec:\s+([\d.]+)", text)
        if not m:
            die(f"no Requests/sec in {fn}:\n{text}")
        rps.append(float(m.group(1)))
        m = re.search(r"^\s*(\d+) requests in ", text, re.M)
        requests += int(m.group(1)) if m else 0
        m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        non2xx += int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        errors += sum(map(int, m.groups())) if m else 0
        m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", text, re.M)
        if m:
            p99.append(float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)])
    runs = " ".join(f"{v:.0f}" for v in rps)
    print(f"rps={statistics.median(rps):.0f} runs={runs.replace(' ', ',')} "
          f"non2xx={non2xx} sockerr={errors} p99ms={median_or_none(p99) or 0:.2f} "
          f"requests={requests}")


def pgbench_summary(files):
    tps, failed = [], 0
    for fn in files:
        text = open(fn).read()
        m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
        if not m:
            die(f"no tps in {fn}:\n{text}")
        tps.append(float(m.group(1)))
        m = re.search(r"number of failed transactions: (\d+)", text)
        failed += int(m.group(1)) if m else 0
    runs = ",".join(f"{v:.0f}" for v in tps)
    print(f"tps={statistics.median(tps):.0f} runs={runs} failed={failed}")


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                print(line.split()[1])
                return
    die(f"no VmRSS for {pid}")


# ---------------------------------------------------------------- rate-limit helpers
def brand(base, token):
    """PUT /v1/brand once, then GET it twice: the first GET fills the cache, the second must be
    a hit. Both must carry the rate-limit headers (the limiter decided). Prints the limit seen."""
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    auth = {"Authorization": f"Bearer {token}"}

    def call(method, body=None):
        headers = dict(auth)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        c.request(method, "/v1/brand", body=data, headers=headers)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()

    st, _, raw = call("PUT", {"voice_tone": {"tone": "x"}, "topics": ["a"]})
    if st != 200:
        die(f"PUT /v1/brand: expected HTTP 200, got {st}: {raw[:300]!r}")
    limit = None
    for _ in range(2):
        st, h, raw = call("GET")
        if st != 200:
            die(f"GET /v1/brand: expected HTTP 200, got {st}: {raw[:300]!r}")
        try:
            got = json.loads(raw)
        except ValueError:
            die(f"GET /v1/brand: not JSON: {raw[:300]!r}")
        if not isinstance(got, dict) or got.get("voice_tone") != {"tone": "x"}:
            die(f"GET /v1/brand returned {raw[:300]!r}")
        limit = h.get("x-ratelimit-limit")
        if limit is None:
            die(f"GET /v1/brand: no X-RateLimit-Limit header (is the limiter on?): {h}")
    c.close()
    print(f"brand_limit_header={limit}")


def gbench_medians(data):
    """The median rows of a Google Benchmark JSON (or each run when it has no aggregates):
    (name, cpu ns, real ns, the row); a benchmark that reported an error ends the run."""
    for b in data.get("benchmarks", []):
        name = b.get("run_name") or b["name"]
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if b.get("error_occurred"):
            die(f"{name}: {b.get('error_message')}")
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        yield name, b["cpu_time"] * scale, b["real_time"] * scale, b


def gbench(path):
    """ratelimit_bench JSON (--benchmark_repetitions=N --benchmark_report_aggregates_only):
    per benchmark the median CPU ns per decision (one thread = one core) and the real time."""
    data = json.load(open(path))
    ctx = data.get("context", {})
    med = {}
    for name, cpu, real, b in gbench_medians(data):
        med[name] = (cpu, real, b.get("tracked"), b.get("repetitions", 1))
    keys = {"BM_GcraPure": "rl_gcra", "BM_CheckNowOneTenant": "rl_one"}
    seen, reps_seen = set(), 1
    for name, (cpu, real, tracked, reps) in sorted(med.items()):
        key = keys.get(name)
        if key is None and name.startswith("BM_CheckNowManyTenantsRoundRobin/"):
            key = "rl_many"
            print(f"rl_many_tenants={name.split('/', 1)[1]}")
            if tracked is not None:
                print(f"rl_many_tracked={tracked:.0f}")
        if key is None:
            continue
        seen.add(key)
        reps_seen = reps
        print(f"{key}_cpu_ns={cpu:.2f}")
        print(f"{key}_real_ns={real:.2f}")
        print(f"{key}_per_s={1e9 / cpu:.0f}")
    missing = {"rl_one", "rl_many"} - seen
    if missing:
        die(f"{path}: no {', '.join(sorted(missing))} benchmark in the output")
    print(f"rl_bench_reps={reps_seen}")
    print(f"rl_bench_ctx=libbenchmark {ctx.get('library_build_type', '?')} build (the library, "
          f"not the code measured), {ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz, load "
          f"{' '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))} when it started")


def rlmem(path):
    text = open(path).read()
    m = re.search(r"rate limiter state: ([\d.]+) MB \(([\d.]+) bytes/tenant\)", text)
    if not m:
        die(f"no 'rate limiter state' line in ratelimit_memory output:\n{text}")
    print(f"rl_mem_mb={m.group(1)}")
    print(f"rl_mem_bytes_per_tenant={m.group(2)}")
    m = re.search(r"tenants tracked: (\d+)", text)
    print(f"rl_mem_tenants={m.group(1) if m else ''}")
    m = re.search(r"sweep dropped (\d+); still tracked: (\d+)", text)
    if m:
        print(f"rl_mem_sweep=an idle hour later sweep dropped {m.group(1)}, "
              f"{m.group(2)} still tracked")


def commandstats(path):
    """Redis counts the commands a script runs as well: each EVALSHA of the GCRA script adds one
    TIME, and per tenant in its batch one GET of the bucket, one SET (when a request is allowed)
    and on GET /v1/brand one more GET for the brand's cache entry. With one tenant every call
    holds one tenant, so the brand cache's GETs are get - evalsha, and other= lists what is left
    besides those."""
    calls = {}
    for line in open(path):
        m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line.strip())
        if m:
            calls[m.group(1)] = int(m.group(2))
    ev, get = calls.pop("evalsha", 0), calls.pop("get", 0)
    st, tm = calls.pop("set", 0), calls.pop("time", 0)
    calls.pop("info", None)  # our own INFO
    calls.pop("config|resetstat", None)
    other = ",".join(f"{k}:{v}" for k, v in sorted(calls.items())) or "none"
    print(f"evalsha={ev} get={get} cacheget={get - ev} set={st} time={tm} other={other}")


def header(base, path, token, name):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        die(f"GET {path}: expected HTTP 200, got {r.status}: {body[:300]!r}")
    print(r.getheader(name) or "none")


def metric(base, name):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", "/metrics")
    r = c.getresponse()
    text = r.read().decode(errors="replace")
    if r.status != 200:
        die(f"GET /metrics: HTTP {r.status}")
    total = 0.0
    for line in text.splitlines():
        m = re.match(rf"{re.escape(name)}(?:\{{[^}}]*\}})?\s+(\S+)$", line)
        if m:
            total += float(m.group(1))
    print(f"{total:.0f}")


def cpu(pid):
    """CPU seconds (utime + stime) process PID has used so far, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    print(f"{(int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK'):.2f}")


def cpu_per_request(prefix, *files):
    """Each FILE is a wrk output with a FILE.cpu beside it ("CPU0 CPU1", seconds, the server's
    CPU time before and after that run): prints PREFIX_cpu_us (median µs of server CPU per
    request) and PREFIX_cpu_runs."""
    per = []
    for fn in files:
        m = re.search(r"^\s*(\d+) requests in ", open(fn).read(), re.M)
        c0, c1 = map(float, open(fn + ".cpu").read().split())
        if m and int(m.group(1)) > 0:
            per.append((c1 - c0) / int(m.group(1)) * 1e6)
    if not per:
        die(f"no requests counted in {files}")
    print(f"{prefix}_cpu_us={statistics.median(per):.1f}")
    print(f"{prefix}_cpu_runs={','.join(f'{v:.1f}' for v in per)}")


# ---------------------------------------------------------------- report
def load_results(path):
    res = {}
    if os.path.exists(path):
        for line in open(path):
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                res[k] = v
    return res


def num(res, key):
    try:
        return float(res[key])
    except (KeyError, ValueError):
        return None


def verdict(value, target, higher_is_better, errors=0):
    if value is None:
        return "not measured"
    ok = value >= target if higher_is_better else value <= target
    if errors:
        return "MISS (errors)"
    return "PASS" if ok else "MISS"


def ratelimit_rows(r, fmt):
    rows = []
    reps = r.get("rl_bench_reps", "?")
    for key, label in (("rl_one", "one tenant"),
                       ("rl_many", f"{int(num(r, 'rl_many_tenants') or 100000):,} tenants "
                                   f"round-robin")):
        v = num(r, f"{key}_per_s")
        rows.append((f"in-process limiter decisions/s, {label}, `ratelimit_bench` one thread "
                     f"(1 / CPU time per decision, median of {reps})",
                     "n/a" if v is None else f"{v / 1e6:.1f} M ({r.get(key + '_cpu_ns')} ns CPU,"
                                             f" {r.get(key + '_real_ns')} ns wall)",
                     "≥ 5 M/s", verdict(v, 5e6, True)))
    mb = num(r, "rl_mem_mb")
    rows.append((f"in-process limiter memory, {int(num(r, 'rl_mem_tenants') or 100000):,} tenants,"
                 f" `ratelimit_memory` VmRSS growth (MB)",
                 fmt(mb, ".2f") + (f" ({r['rl_mem_bytes_per_tenant']} bytes/tenant)"
                                   if "rl_mem_bytes_per_tenant" in r else ""),
                 "≤ 10 MB", verdict(mb, 10, False)))

    b = num(r, "rlbrand_rps")
    b_err = int(num(r, "rlbrand_non2xx") or 0) + int(num(r, "rlbrand_sockerr") or 0)
    rows.append(("decisions through Redis: GET /v1/brand (a decision of the limiter's script, "
                 "batched per event-loop turn, reading the brand cache entry too; no SQL), "
                 "wrk -t2 -c64 -d10s, median of 3 (req/s = decisions/s)",
                 fmt(b, ",.0f") + (f" (runs {r['rlbrand_runs']}; p99 {r.get('rlbrand_p99ms')} ms;"
                                   f" {b_err} errors)" if "rlbrand_runs" in r else ""),
                 "≥ 40,000", verdict(b, 40000, True, b_err)))
    for p, what in (("rlbrand", "GET /v1/brand through Redis"),
                    ("rlbrand_old", "GET /v1/brand through Redis, the A/B's old binary")):
        if f"{p}_cpu_us" in r:
            rows.append((f"  server CPU per request, {what} (utime+stime from /proc ÷ requests, "
                         f"median of {len(r[p + '_cpu_runs'].split(','))})",
                         f"{r[p + '_cpu_us']} µs (runs {r[p + '_cpu_runs']})"
                         + (f"; {num(r, p + '_rps'):,.0f} req/s (runs {r.get(p + '_runs')})"
                            if p == "rlbrand_old" and p + "_rps" in r else ""),
                         "reference", "—"))
    req = num(r, "rlbrand_requests")
    decided = num(r, "rl_node_decisions")
    dratio = decided / req if decided is not None and req else None
    rows.append(("  decisions the node made (`autoblog_rate_limit_decisions_total`) / requests",
                 "n/a" if dratio is None else f"{dratio:.3f} ({decided:,.0f} decisions, "
                                              f"{req:,.0f} wrk requests)",
                 "≈ 1 (± 2%)", "not measured" if dratio is None else
                 ("PASS" if 0.98 <= dratio <= 1.02 else "MISS")))
    ev, cget = num(r, "rl_evalsha"), num(r, "rl_cacheget")
    per_call = req / ev if ev and req else None
    rows.append(("  Redis `INFO commandstats` over those 3 runs: requests per script call "
                 "(EVALSHA)",
                 "n/a" if per_call is None else
                 f"{per_call:.1f} ({ev:,.0f} EVALSHA for {req:,.0f} wrk requests; inside the "
                 f"scripts {num(r, 'rl_time') or 0:,.0f} TIME, {ev:,.0f} GET of the bucket, "
                 f"{num(r, 'rl_set') or 0:,.0f} SET, {cget:,.0f} GET of the cache entry; other: "
                 f"{r.get('rl_other', '?')})",
                 "reference", "—"))
    sent = num(r, "rl_node_cmds")
    sratio = sent / ev if sent is not None and ev else None
    rows.append(("  Redis commands the node sent (`autoblog_redis_commands_total`) / EVALSHA "
                 "calls Redis counted",
                 "n/a" if sratio is None else f"{sratio:.3f} ({sent:,.0f} commands)",
                 "≈ 1 (± 2%)", "not measured" if sratio is None else
                 ("PASS" if 0.98 <= sratio <= 1.02 else "MISS")))
    if "rl_cmds_per_read" in r:
        rows.append(("  Redis commands per read on the server (the node's commands ÷ `INFO stats` "
                     "reads processed; 1 = no pipelining)", r["rl_cmds_per_read"], "reference",
                     "—"))
    fb, sql = num(r, "rl_fallbacks"), num(r, "rl_sql_tx")
    rows.append(("  in-process fallbacks (`autoblog_rate_limit_fallbacks_total`) / SQL "
                 "transactions committed in PostgreSQL during those runs",
                 "n/a" if fb is None or sql is None else f"{fb:.0f} / {sql:.0f}",
                 "0 / ≈ 0 (≤ 1% of requests)",
                 "not measured" if fb is None or sql is None or not req else
                 ("PASS" if fb == 0 and sql <= 0.01 * req else "MISS")))
    off = num(r, "rloff_rps")
    modes = (("rlon", "Redis limiter on (TCP)"),
             ("rlunix", "Redis limiter on (Redis' Unix socket)"),
             ("rloff", "limiter off (`AUTOBLOG_RATE_LIMITS=0`)"))
    errors = {p: int(num(r, p + "_non2xx") or 0) + int(num(r, p + "_sockerr") or 0)
              for p, _ in modes}
    for p, what in modes:
        if p + "_rps" not in r:
            continue
        e = errors[p]
        rows.append((f"GET /v1/content/{{id}}, Redis configured, {what}, wrk -t2 -c64 -d10s, "
                     f"median of 3 (req/s)",
                     fmt(num(r, p + "_rps"), ",.0f") +
                     (f" (runs {r[p + '_runs']}; p99 {r.get(p + '_p99ms')} ms;"
                      f" {e} errors)" if p + "_runs" in r else ""),
                     "reference", "—" if not e else f"errors: {e}"))
        if p + "_cpu_us" in r:
            rows.append((f"  server CPU per request, {what}",
                         f"{r[p + '_cpu_us']} µs (runs {r[p + '_cpu_runs']})", "reference", "—"))
    coff = num(r, "rloff_cpu_us")
    for p, how in (("rlon", "over TCP"), ("rlunix", "over the Unix socket")):
        on = num(r, p + "_rps")
        if on is None and p == "rlunix":
            continue
        cost = (off - on) / off * 100 if on is not None and off else None
        rows.append((f"limiter cost on GET /v1/content/{{id}}, Redis {how}: (off − on) / off, "
                     "runs alternated with a restart before each",
                     fmt(cost, ".1f") + ("%" if cost is not None else ""),
                     "≤ 10%", verdict(cost, 10, False, errors[p] + errors["rloff"])))
        con = num(r, p + "_cpu_us")
        if con is not None and coff:
            ccost = (con - coff) / con * 100
            rows.append(("  the same in server CPU per request: (on − off) / on",
                         f"{ccost:.1f}% ({con - coff:.1f} µs of {con:.1f})", "≤ 10%",
                         verdict(ccost, 10, False)))
    return rows


def tenant_read_rows(r, fmt):
    """bench/tenant_reads.py: one tenant vs round-robin over every tenant, same run."""
    if "tr_one_rps" not in r:
        return []
    n = r.get("tr_tenants", "?")
    one, rr = num(r, "tr_one_rps"), num(r, "tr_rr_rps")
    err = int(num(r, "tr_one_errors") or 0) + int(num(r, "tr_rr_errors") or 0)
    ratio = rr / one * 100 if one and rr is not None else None
    return [
        ("tenant read, one tenant (req/s, median of 3)",
         fmt(one, ",.0f") + f" (runs {r.get('tr_one_runs')})", "≥ 20,000",
         verdict(one, 20000, True, err)),
        (f"tenant read, round-robin over {n} tenants (req/s, median of 3)",
         fmt(rr, ",.0f") + f" (runs {r.get('tr_rr_runs')})", "≥ 15,000",
         verdict(rr, 15000, True, err)),
        ("  round-robin / one tenant", fmt(ratio, ".0f") + ("%" if ratio is not None else ""),
         "≥ 75%", verdict(ratio, 75, True, err)),
        ("  server CPU per read, one tenant / round-robin (µs)",
         fmt(num(r, "tr_one_server_us"), ".1f") + " / " + fmt(num(r, "tr_rr_server_us"), ".1f"),
         "≤ 25", verdict(num(r, "tr_one_server_us"), 25, False, err)),
        ("  PostgreSQL CPU per read, one tenant (µs)", fmt(num(r, "tr_one_pg_us"), ".1f"),
         "≤ 35", verdict(num(r, "tr_one_pg_us"), 35, False, err)),
        (f"  PostgreSQL CPU per read, round-robin over {n} tenants (µs)",
         fmt(num(r, "tr_rr_pg_us"), ".1f"), "≤ 60", verdict(num(r, "tr_rr_pg_us"), 60, False, err)),
        ("  errors (non-2xx) in those runs", str(err), "0", "PASS" if err == 0 else "MISS"),
        ("pgbench `SELECT *` by primary key, prepared, -c8: the database's floor (tps)",
         fmt(num(r, "tr_pgbench_pk_tps"), ",.0f"), "reference", "—"),
        ("pgbench the API's statement for the read, prepared, -c8 (tps)",
         fmt(num(r, "tr_pgbench_api_tps"), ",.0f"), "reference", "—"),
    ]


def quality_gbench(path):
    """quality_bench JSON (--benchmark_repetitions=N --benchmark_report_aggregates_only): the
    median CPU time of scoring the 2 000-word article and of one dictionary lookup."""
    found = set()
    for name, cpu, real, b in gbench_medians(json.load(open(path))):
        if name == "BM_Score2000WordArticle":
            print(f"quality_score_cpu_us={cpu / 1e3:.1f}")
            print(f"quality_score_real_us={real / 1e3:.1f}")
            print(f"quality_words={b.get('words', 0):.0f}")
            print(f"quality_reps={b.get('repetitions', 1)}")
            found.add(name)
        elif name == "BM_DictionaryLookup":
            print(f"quality_lookup_ns={cpu:.1f}")
            found.add(name)
    if "BM_Score2000WordArticle" not in found:
        die(f"{path}: no BM_Score2000WordArticle result")


def feeds_gbench(path):
    """feed_bench JSON (--benchmark_repetitions=N --benchmark_report_aggregates_only): the median
    CPU time of parsing a 1 MB RSS feed, a 1 MB Atom feed, and of ranking the RSS entries."""
    keys = {"BM_ParseRss1MB": "feed_rss", "BM_ParseAtom1MB": "feed_atom",
            "BM_RankRss1MB": "feed_rank"}
    found = set()
    for name, cpu, real, b in gbench_medians(json.load(open(path))):
        if name in keys:
            print(f"{keys[name]}_cpu_ms={cpu / 1e6:.2f}")
            print(f"{keys[name]}_real_ms={real / 1e6:.2f}")
            if "entries" in b:
                print(f"{keys[name]}_entries={b['entries']:.0f}")
            print(f"feed_reps={b.get('repetitions', 1)}")
            found.add(name)
    if "BM_ParseRss1MB" not in found:
        die(f"{path}: no BM_ParseRss1MB result")


def feeds_rows(r, fmt):
    rows = []
    for key, label in (("feed_rss", "RSS 2.0"), ("feed_atom", "Atom")):
        cpu = num(r, f"{key}_cpu_ms")
        if cpu is None:
            continue
        entries = int(num(r, f"{key}_entries") or 0)
        rows.append((f"parsing a 1 MB {label} feed ({entries:,} entries), `feed_bench` one thread "
                     f"(CPU time, median of {r.get('feed_reps', '?')}; wall "
                     f"{fmt(num(r, key + '_real_ms'), '.1f')} ms)",
                     fmt(cpu, ".1f") + " ms", "≤ 20 ms", verdict(cpu, 20, False)))
    rank = num(r, "feed_rank_cpu_ms")
    if rank is not None:
        rows.append(("  ranking that RSS feed's entries against a brand (scores, canonical URLs, "
                     "title keys)", fmt(rank, ".1f") + " ms", "–", ""))
    return rows


def quality_rows(r, fmt):
    cpu = num(r, "quality_score_cpu_us")
    if cpu is None:
        return []
    words = int(num(r, "quality_words") or 0)
    return [(f"quality scores of a {words:,}-word Markdown article, `quality_bench` one thread "
             f"(CPU time, median of {r.get('quality_reps', '?')}; dictionary lookup "
             f"{fmt(num(r, 'quality_lookup_ns'), '.0f')} ns)",
             fmt(cpu / 1e3, ".2f") + " ms", "≤ 1 ms", verdict(cpu, 1000, False))]


def report(results_path, out_path):
    r = load_results(results_path)
    rows = []

    def fmt(v, spec):
        return "n/a" if v is None else format(v, spec)

    api = num(r, "api_rps")
    pgb = num(r, "pgbench_tps")
    api_err = int(num(r, "api_non2xx") or 0) + int(num(r, "api_sockerr") or 0)
    rows.append(("GET /v1/content/{id}, wrk -t2 -c64 -d10s, median of 3 (req/s)",
                 fmt(api, ",.0f") + (f" (runs {r['api_runs']}; p99 {r.get('api_p99ms')} ms)"
                                     if "api_runs" in r else ""),
                 "≥ 10,000", verdict(api, 10000, True, api_err)))
    rows.append(("  errors during that load (non-2xx + socket errors)",
                 "n/a" if "api_runs" not in r else str(api_err), "0",
                 "—" if "api_runs" not in r else ("PASS" if api_err == 0 else "MISS")))
    rows.append(("pgbench the API's statement (simple protocol), -c64 -j2 -T10, median of 3 (tps)",
                 fmt(pgb, ",.0f") + (f" (runs {r['pgbench_runs']}; failed "
                                     f"{r.get('pgbench_failed', '?')})" if "pgbench_runs" in r
                                     else ""), "reference", "—"))
    ratio = api / pgb * 100 if api is not None and pgb else None
    rows.append(("API / pgbench", fmt(ratio, ".0f") + ("%" if ratio is not None else ""),
                 "≥ 60%", verdict(ratio, 60, True, api_err)))
    h = num(r, "health_rps")
    n = num(r, "nginx_rps")
    h_err = int(num(r, "health_non2xx") or 0) + int(num(r, "health_sockerr") or 0)
    rows.append(("autoblog GET /health, wrk -t2 -c64 -d10s, median of 3 (req/s)",
                 fmt(h, ",.0f") + (f" (runs {r['health_runs']})" if "health_runs" in r else ""),
                 "reference", "—" if not h_err else "errors: " + str(h_err)))
    rows.append(("nginx `return 200`, same wrk, median of 3 (req/s)",
                 fmt(n, ",.0f") + (f" (runs {r['nginx_runs']})" if "nginx_runs" in r else ""),
                 "reference", "—"))
    hr = h / n * 100 if h is not None and n else None
    rows.append(("autoblog /health / nginx", fmt(hr, ".0f") + ("%" if hr is not None else ""),
                 "≥ 60%", verdict(hr, 60, True, h_err)))
    ms = num(r, "tenant_ms")
    created = r.get("tenants_created")
    tfail = int(num(r, "tenants_failed") or 0)
    rows.append((f"create tenants via admin API, one keep-alive connection (ms/tenant)",
                 fmt(ms, ".1f") + (f" ({created} created in {r.get('tenant_total_s')} s"
                                   f", {tfail} failed)" if created else ""),
                 "≤ 20 ms", verdict(ms, 20, False, tfail)))
    m0 = num(r, "migrate_noop_s")
    rows.append((f"`autoblog migrate`, nothing to do, {r.get('tenants_total', '?')} tenants (s)",
                 fmt(m0, ".2f"), "≤ 2 s",
                 verdict(m0, 2, False, int(num(r, "migrate_noop_rc") or 0))))
    m1 = num(r, "migrate_col_s")
    m1_bad = int(num(r, "migrate_col_rc") or 0) + (
        0 if r.get("migrate_col_verified", "0") == r.get("tenants_total", "x") else 1)
    rows.append(("`autoblog migrate --jobs 4`, add column + index to every tenant (s)",
                 fmt(m1, ".2f") + (f" ({r.get('migrate_col_verified')} schemas verified)"
                                   if "migrate_col_verified" in r else ""),
                 "≤ 60 s", verdict(m1, 60, False, m1_bad if m1 is not None else 0)))
    rss_mb = num(r, "rss_kb")
    rss_mb = rss_mb / 1024 if rss_mb is not None else None
    terr = int(num(r, "touch_failed") or 0)
    rows.append(("server VmRSS after a token + GET /v1/tenant for every tenant (MB)",
                 fmt(rss_mb, ".1f") + (f" (right after start {float(r['rss_start_kb'])/1024:.1f};"
                                       f" {r.get('touch_ok')} tenants ok, {terr} failed)"
                                       if "rss_start_kb" in r else ""),
                 "≤ 100 MB", verdict(rss_mb, 100, False, terr)))

    rows += tenant_read_rows(r, fmt)

    only = r.get("bench_only", "")
    if only == "ratelimit":
        rows = []  # the platform-core half did not run: leave its rows out
    if only != "core":
        rows += ratelimit_rows(r, fmt)
    rows += quality_rows(r, fmt)
    rows += feeds_rows(r, fmt)

    lines = ["# AutoBlog benchmark", ""]
    if r.get("aborted"):
        lines += [f"**Run aborted:** {r['aborted']}", ""]
    if only:
        other = "platform-core" if only == "ratelimit" else "rate-limit"
        lines += [f"**Partial run:** `BENCH_ONLY={only}`; the {other} rows were not run.", ""]
    lines += ["| figure | measured | target | result |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "## Machine and settings", ""]
    for key, label in [("date", "date"), ("host_cpus", "nproc"), ("cpu_model", "CPU"),
                       ("kernel", "kernel"), ("loadavg", "load average"), ("loadavg_end", "load average"), ("git", "autoblog commit"),
                       ("pg_settings", "PostgreSQL"), ("server_settings", "autoblog serve"),
                       ("nginx_settings", "nginx"), ("tools", "tools"),
                       ("server_log", "server log"), ("cpu_sharing", "CPU sharing"),
                       ("rl_bench_ctx", "ratelimit_bench"), ("rl_mem_sweep", "ratelimit_memory"),
                       ("redis_settings", "Redis"), ("rl_server_settings", "autoblog serve (Redis)"),
                       ("rl_server_log", "server logs (Redis)"),
                       ("duration_s", "bench wall time (s)")]:
        if key in r:
            lines.append(f"- {label}: {r[key]}")
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        f.write(text)
    print(text)


def main(argv):
    if len(argv) < 2:
        die(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "freeport":
        freeport()
    elif cmd == "wait-http":
        wait_http(*args)
    elif cmd == "setup":
        setup(*args)
    elif cmd == "wrk":
        wrk_summary(args)
    elif cmd == "pgbench":
        pgbench_summary(args)
    elif cmd == "rss":
        rss(*args)
    elif cmd == "brand":
        brand(*args)
    elif cmd == "gbench":
        gbench(*args)
    elif cmd == "quality":
        quality_gbench(*args)
    elif cmd == "feeds":
        feeds_gbench(*args)
    elif cmd == "rlmem":
        rlmem(*args)
    elif cmd == "commandstats":
        commandstats(*args)
    elif cmd == "metric":
        metric(*args)
    elif cmd == "header":
        header(*args)
    elif cmd == "cpu":
        cpu(*args)
    elif cmd == "cpu-per-request":
        cpu_per_request(*args)
    elif cmd == "report":
        report(*args)
    else:
        die(f"unknown subcommand {cmd}\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv)
