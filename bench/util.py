#!/usr/bin/env python3
"""Small helpers for bench/run.sh (Python 3 standard library only).

Subcommands:
  freeport                         print a free loopback TCP port (bind to port 0)
  wait-http URL PID TIMEOUT        wait until URL answers 200 while process PID lives
  setup BASE ADMIN_TOKEN           create the bench tenant, lift its rate limit, issue a token,
                                   create one content item; print shell assignments
  wrk FILE...                      summarise wrk outputs: median req/s, errors, p99
  pgbench FILE...                  summarise pgbench outputs: median tps, failures
  rss PID                          VmRSS of PID in kB
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


def setup(base, admin):
    api = Api(base)
    t = expect("create tenant", *api.call("POST", "/v1/admin/tenants", admin,
                                          {"name": "bench-content"}), 201)
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
    rps, errors, non2xx, p99 = [], 0, 0, []
    for fn in files:
        text = open(fn).read()
        m = re.search(r"Requests/sec:\s+([\d.]+)", text)
        if not m:
            die(f"no Requests/sec in {fn}:\n{text}")
        rps.append(float(m.group(1)))
        m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        non2xx += int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        errors += sum(map(int, m.groups())) if m else 0
        m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", text, re.M)
        if m:
            p99.append(float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)])
    runs = " ".join(f"{v:.0f}" for v in rps)
    print(f"rps={statistics.median(rps):.0f} runs={runs.replace(' ', ',')} "
          f"non2xx={non2xx} sockerr={errors} p99ms={median_or_none(p99) or 0:.2f}")


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
    rows.append(("pgbench same 4-statement tenant transaction, -c64 -j2 -T10, median of 3 (tps)",
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

    lines = ["# AutoBlog benchmark", ""]
    if r.get("aborted"):
        lines += [f"**Run aborted:** {r['aborted']}", ""]
    lines += ["| figure | measured | target | result |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "## Machine and settings", ""]
    for key, label in [("date", "date"), ("host_cpus", "nproc"), ("cpu_model", "CPU"),
                       ("kernel", "kernel"), ("loadavg", "load average"), ("loadavg_end", "load average"), ("git", "autoblog commit"),
                       ("pg_settings", "PostgreSQL"), ("server_settings", "autoblog serve"),
                       ("nginx_settings", "nginx"), ("tools", "tools"),
                       ("server_log", "server log"), ("duration_s", "bench wall time (s)")]:
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
    elif cmd == "report":
        report(*args)
    else:
        die(f"unknown subcommand {cmd}\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv)
