#!/usr/bin/env python3
"""A/B of two autoblog binaries on GET /v1/content/{id} (one tenant, in-process limiter with the
tenant's limit lifted, access log off): req/s and CPU per request of the server and of
PostgreSQL (utime + stime from /proc over the measured run, divided by requests), the binaries
alternated ROUNDS times in the same run, on a private PostgreSQL cluster it starts and stops.

    python3 bench/ab_cpu_per_request.py OLD_BINARY NEW_BINARY [ROUNDS]

A binary may be given settings as NAME=VALUE[,NAME=VALUE...]@BINARY (e.g. AUTOBLOG_RATE_LIMITS=0@
build/autoblog, or LD_PRELOAD=…@build/autoblog), to compare one binary with itself.

CPU per request is far steadier than req/s on a shared machine; still compare only figures of
the same run. AB_TARGET=brand reads GET /v1/brand instead (a brand is set first; with Redis it is
a cache hit, no SQL), AB_TARGET=health GET /health. AB_REDIS=1 starts a private redis-server and
gives both servers AUTOBLOG_REDIS_URL (limiter and cache through Redis, over TCP); its CPU per
request is reported too. It also listens on a Unix socket: a setting's value may name it as
{redis_socket} (AUTOBLOG_REDIS_URL=unix://{redis_socket}@build/autoblog). With AB_PERF_DIR=DIR, `perf record -g` profiles each server for 6 s of its run into
DIR/perf.<binary name>.data (read with `perf report -i …`).

AB_INSTRUCTIONS=1 counts instructions instead: each server runs under valgrind's callgrind, is
warmed up, then its counters are zeroed and `wrk -t1 -c16 -d10s` runs; the figure is the user-space
instructions the server executed per request (no system calls, no kernel work). Unlike CPU time it
hardly moves between runs (±0.5 %), so it shows a change of 1 % in code that runs per request; keep
the callgrind profile with AB_INSTRUCTIONS_DIR=DIR (DIR/callgrind.<binary name>, read with
`callgrind_annotate`).
"""
import json, os, secrets, shutil, signal, subprocess, sys, tempfile, time, urllib.request

PG = os.environ.get("AUTOBLOG_PG_BIN", "/usr/lib/postgresql/15/bin")


def as_pg(*cmd):
    if os.geteuid() == 0:
        cmd = ("runuser", "-u", "postgres", "--") + cmd
    subprocess.run(cmd, check=True, capture_output=True)


def cpu_seconds(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids(data_dir):
    """The cluster's postmaster and its children (not other clusters on the machine)."""
    with open(f"{data_dir}/postmaster.pid") as f:
        master = int(f.readline())
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [master] + [int(x) for x in out.split()]


def measure(binary, socket_dir, port, redis_port=None):
    settings = {}
    if "@" in binary:
        spec, binary = binary.split("@", 1)
        settings = {k: v.replace("{redis_socket}", f"{socket_dir}/redis.sock")
                    for k, v in (kv.split("=", 1) for kv in spec.split(","))}
    db = f"ab_{secrets.token_hex(3)}"
    admin_url = f"postgresql://autoblog@/postgres?host={socket_dir}"
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {db}"], check=True)
    admin = secrets.token_urlsafe(24)
    env = dict(os.environ, AUTOBLOG_DATABASE_URL=f"postgresql://autoblog@/{db}?host={socket_dir}",
               AUTOBLOG_ADMIN_TOKEN=admin, AUTOBLOG_JWT_SECRET=secrets.token_urlsafe(40),
               AUTOBLOG_ACCESS_LOG="0", AUTOBLOG_LOG_LEVEL="warn")
    if redis_port:
        env["AUTOBLOG_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}"
    env.update(settings)
    data = tempfile.mkdtemp(prefix="abd")
    counting = bool(os.environ.get("AB_INSTRUCTIONS"))
    tool = (["valgrind", "-q", "--tool=callgrind", f"--callgrind-out-file={data}/callgrind.out"]
            if counting else [])
    srv = subprocess.Popen(tool + [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir",
                                   data, "--workers", "0"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200 if counting else 200):
            try:
                urllib.request.urlopen(base + "/health")
                break
            except OSError:
                time.sleep(0.1)

        def call(method, path, body=None, token=admin):
            r = urllib.request.Request(base + path, method=method,
                                       data=None if body is None else json.dumps(body).encode(),
                                       headers={"Authorization": "Bearer " + token,
                                                "Content-Type": "application/json"})
            return json.loads(urllib.request.urlopen(r).read() or b"null")

        t = call("POST", "/v1/admin/tenants", {"name": "ab", "subscription_tier": "enterprise"})
        call("PATCH", f"/v1/admin/tenants/{t['id']}", {"limits": {"requests_per_hour": 10**9}})
        token = call("POST", f"/v1/admin/tenants/{t['id']}/tokens", {})["token"]
        item = call("POST", "/v1/content", {"inspiration_data": {"x": 1}}, token)["id"]
        script = os.path.join(data, "auth.lua")
        with open(script, "w") as f:
            f.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        kind = os.environ.get("AB_TARGET", "content")
        if kind == "brand":
            call("PUT", "/v1/brand", {"voice_tone": {"style": "plain"}, "topics": ["ab"]}, token)
            call("GET", "/v1/brand", None, token)  # fills the cache
        target = {"content": f"{base}/v1/content/{item}", "brand": f"{base}/v1/brand",
                  "health": f"{base}/health"}[kind]
        if counting:
            return count_instructions(binary, srv.pid, data, script, target)
        subprocess.run(["wrk", "-t2", "-c64", "-d3s", "-s", script, target], capture_output=True)
        perf = None
        if os.environ.get("AB_PERF_DIR"):  # a CPU profile of the server during the run
            perf = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "-g", "-p", str(srv.pid),
                                     "-o", os.path.join(os.environ["AB_PERF_DIR"],
                                                        f"perf.{os.path.basename(binary)}.data"),
                                     "--", "sleep", "6"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        redis_pids = [int(x) for x in subprocess.run(
            ["pgrep", "-f", f"redis-server 127.0.0.1:{redis_port}"], capture_output=True,
            text=True).stdout.split()] if redis_port else []
        s0, p0 = cpu_seconds([srv.pid]), cpu_seconds(postgres_pids(f"{socket_dir}/data"))
        r0 = cpu_seconds(redis_pids)
        out = subprocess.run(["wrk", "-t2", "-c64", "-d8s", "-s", script, target],
                             capture_output=True, text=True).stdout
        if perf:
            perf.wait(30)
        s1, p1 = cpu_seconds([srv.pid]), cpu_seconds(postgres_pids(f"{socket_dir}/data"))
        r1 = cpu_seconds(redis_pids)
        requests = int(next(l for l in out.splitlines() if "requests in" in l).split()[0])
        rps = float(next(l for l in out.splitlines() if l.startswith("Requests/sec")).split()[1])
        errors = [l.strip() for l in out.splitlines() if "Non-2xx" in l or "errors" in l]
        return (rps, (s1 - s0) / requests * 1e6, (p1 - p0) / requests * 1e6,
                (r1 - r0) / requests * 1e6, errors)
    finally:
        srv.send_signal(signal.SIGTERM)
        srv.wait(30)
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE {db} WITH (FORCE)"])


def count_instructions(binary, pid, data, script, target):
    """User-space instructions per request of the server `pid` (running under callgrind)."""
    subprocess.run(["wrk", "-t1", "-c16", "-d3s", "-s", script, target], capture_output=True)
    subprocess.run(["callgrind_control", "-z", str(pid)], capture_output=True, check=True)
    out = subprocess.run(["wrk", "-t1", "-c16", "-d10s", "-s", script, target],
                         capture_output=True, text=True).stdout
    subprocess.run(["callgrind_control", "-d", str(pid)], capture_output=True, check=True)
    requests = int(next(l for l in out.splitlines() if "requests in" in l).split()[0])
    dumps = sorted((f for f in os.listdir(data) if f.startswith("callgrind.out.")),
                   key=lambda f: os.path.getmtime(os.path.join(data, f)))
    with open(os.path.join(data, dumps[-1])) as f:
        total = next(int(l.split()[1]) for l in f if l.startswith(("summary:", "totals:")))
    if os.environ.get("AB_INSTRUCTIONS_DIR"):
        shutil.copy(os.path.join(data, dumps[-1]), os.path.join(
            os.environ["AB_INSTRUCTIONS_DIR"], f"callgrind.{os.path.basename(binary)}"))
    errors = [l.strip() for l in out.splitlines() if "Non-2xx" in l or "errors" in l]
    return total / requests, requests, errors


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binaries, rounds = sys.argv[1:3], int(sys.argv[3]) if len(sys.argv) > 3 else 2
    tmp = tempfile.mkdtemp(prefix="abpg")
    os.chmod(tmp, 0o755)
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    as_pg(f"{PG}/initdb", "-D", f"{tmp}/data", "-A", "trust", "-U", "autoblog", "--no-sync")
    as_pg(f"{PG}/pg_ctl", "-D", f"{tmp}/data", "-w", "-l", f"{tmp}/log", "-o",
          f"-k {tmp} -c listen_addresses='' -c max_connections=300", "start")
    redis = None
    if os.environ.get("AB_REDIS"):
        redis = subprocess.Popen(["redis-server", "--port", "18699", "--bind", "127.0.0.1",
                                  "--unixsocket", f"{tmp}/redis.sock", "--unixsocketperm", "700",
                                  "--save", "", "--appendonly", "no", "--dir", tmp],
                                 stdout=subprocess.DEVNULL)
        time.sleep(0.5)
    try:
        for r in range(rounds):
            for i, b in enumerate(binaries):
                if os.environ.get("AB_INSTRUCTIONS"):
                    per_request, requests, errors = measure(b, tmp, 18700 + 10 * r + i,
                                                            18699 if redis else None)
                    print(f"{b}: {per_request:.0f} instructions/request over {requests} requests"
                          f" {errors}", flush=True)
                    continue
                rps, server, pg, rd, errors = measure(b, tmp, 18700 + 10 * r + i,
                                                      18699 if redis else None)
                print(f"{b}: {rps:.0f} req/s, server {server:.1f} us/req, "
                      f"postgres {pg:.1f} us/req"
                      + (f", redis {rd:.1f} us/req" if redis else "") + f" {errors}", flush=True)
    finally:
        if redis:
            redis.terminate()
            redis.wait(10)
        as_pg(f"{PG}/pg_ctl", "-D", f"{tmp}/data", "-m", "fast", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
