#!/usr/bin/env python3
"""The hosted blog from its page cache: wrk on GET /posts/{slug} with the tenant's Host header.

    python3 bench/hosted.py [BUILD_DIR]

Starts `autoblog serve` (embedded database, template AI provider, access log off, rate limits
irrelevant: the blog is not the tenant API), makes a tenant with a domain, generates, approves
and publishes one article through the API, then runs wrk (HB_SECONDS, default 10; 2 threads,
64 connections) and prints req/s, p99 latency and the server's CPU time per request
(utime + stime from /proc over the run ÷ requests). Target: ≥ 20 000 req/s on 2 cores.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SECONDS = int(os.environ.get("HB_SECONDS", "10"))
ADMIN = "bench-admin-token-" + "x" * 24
HOST = "bench-blog.example"


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    tmp = tempfile.mkdtemp(prefix="abhb")
    port = 18000 + os.getpid() % 1000
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBLOG_")}
    env.update(AUTOBLOG_ADMIN_TOKEN=ADMIN, AUTOBLOG_JWT_SECRET="s" * 48, AUTOBLOG_ACCESS_LOG="0",
               AUTOBLOG_LOG_LEVEL="warn")
    proc = subprocess.Popen([os.path.join(BUILD, "autoblog"), "serve", "--listen",
                             f"127.0.0.1:{port}", "--data-dir", tmp, "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        s, t = call(base, "POST", "/v1/admin/tenants", ADMIN, {"name": "Bench blog", "domain": HOST})
        assert s == 201, t
        s, tok = call(base, "POST", f"/v1/admin/tenants/{t['id']}/tokens", ADMIN, {})
        token = tok["token"]
        s, item = call(base, "POST", "/v1/content", token, {"inspiration_data": {"idea": "espresso at home"}})
        call(base, "POST", f"/v1/content/{item['id']}/generate", token)
        for _ in range(600):
            item = call(base, "GET", f"/v1/content/{item['id']}", token)[1]
            if item["status"] in ("generated", "failed"):
                break
            time.sleep(0.1)
        assert item["status"] == "generated", item
        call(base, "POST", f"/v1/content/{item['id']}/approve", token)
        s, _ = call(base, "POST", f"/v1/content/{item['id']}/publish", token, {})
        assert s == 202
        for _ in range(300):
            item = call(base, "GET", f"/v1/content/{item['id']}", token)[1]
            if item["status"] == "published":
                break
            time.sleep(0.1)
        path = "/posts/" + item["generated_content"]["slug"]
        warm = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                               "-H", f"Host: {HOST}", base + path], capture_output=True, text=True)
        print(f"page: {path} -> {warm.stdout}")
        subprocess.run(["wrk", "-t2", "-c64", "-d2s", "-H", f"Host: {HOST}", base + path],
                       capture_output=True)  # warm-up
        c0 = cpu_seconds(proc.pid)
        out = subprocess.run(["wrk", "-t2", "-c64", f"-d{SECONDS}s", "--latency", "-H",
                              f"Host: {HOST}", base + path], capture_output=True, text=True).stdout
        c1 = cpu_seconds(proc.pid)
        reqs = int(re.search(r"(\d+) requests in", out).group(1))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p99 = re.search(r"99%\s+(\S+)", out).group(1)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        print(f"hosted_post_rps={rps:.0f}")
        print(f"hosted_post_p99={p99}")
        print(f"hosted_post_server_cpu_us_per_req={(c1 - c0) / reqs * 1e6:.1f}")
        print(f"hosted_post_non2xx={non2xx.group(1) if non2xx else 0}")
        print(f"target_rps=20000 met={'yes' if rps >= 20000 else 'no'}")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
