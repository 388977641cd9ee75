#!/usr/bin/env python3
"""Job queue benchmark (part of `make bench`; alone: python3 bench/jobs.py build).

On a private PostgreSQL 15 cluster (unix socket, fsync on) with `autoblog worker` processes and
internal noop jobs enqueued by build/autoblog_job_tool (the API's enqueue code; no route
enqueues noop):
  1. throughput: 20 000 no-op jobs enqueued in bulk (1 000 per statement) while one worker
     process (concurrency 128, claims of up to 100, completions batched) runs them; jobs/s from
     the first enqueue to the last completion, and the CPU seconds of the worker and of
     PostgreSQL per 1 000 jobs;
  2. enqueue-to-start latency on an idle queue: 300 jobs one at a time, 20 ms apart
     (started_at − created_at from the jobs table; p50/p99);
  3. dead tuples: 60 s of enqueue-and-complete at full rate, n_dead_tup of autoblog_core.jobs
     sampled every 5 s (bounded and not growing = autovacuum keeps up).
Writes bench/results/jobs.md and prints it.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu(data_dir: str) -> float:
    """CPU seconds of every backend and helper process of the cluster (children of the
    postmaster), finished ones included (cutime/cstime of the postmaster)."""
    pid = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(x) for x in fields[11:15])
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                f = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(f[1]) == pid:
                total += int(f[11]) + int(f[12])
    return total / os.sysconf("SC_CLK_TCK")


class Bench:
    def __init__(self, build: Path):
        self.bin = build / "autoblog"
        self.tool = build / "autoblog_job_tool"
        self.tmp = tempfile.mkdtemp(prefix="abjb", dir="/tmp")
        os.chmod(self.tmp, 0o755)
        self.pg = os.path.join(self.tmp, "pg")
        os.makedirs(self.pg)
        shutil.chown(self.pg, "postgres")
        self.url = f"postgresql://autoblog@/autoblog?host={self.pg}"
        self.procs: list[subprocess.Popen] = []

    def psql(self, sql: str) -> str:
        return sh("psql", "-h", self.pg, "-U", "autoblog", "-d", "autoblog", "-Atc", sql).stdout.strip()

    def start_postgres(self):
        sh("runuser", "-u", "postgres", "--", f"{PGBIN}/initdb", "-D", f"{self.pg}/data", "-A",
           "trust", "-U", "autoblog")
        sh("runuser", "-u", "postgres", "--", f"{PGBIN}/pg_ctl", "-D", f"{self.pg}/data", "-w",
           "-l", f"{self.pg}/log", "-o", f"-k {self.pg} -c listen_addresses='' -c max_connections=300 -c autovacuum_naptime=5s",
           "start")
        sh("psql", "-h", self.pg, "-U", "autoblog", "-d", "postgres", "-c", "CREATE DATABASE autoblog")

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBLOG_")}
        env.update(AUTOBLOG_DATABASE_URL=self.url, AUTOBLOG_LOG_LEVEL="warn",
                   AUTOBLOG_ADMIN_TOKEN="bench-admin-token-0123456789abcdef0123",
                   AUTOBLOG_JWT_SECRET="bench-jwt-secret-0123456789abcdef0123456789ab",
                   AUTOBLOG_ACCESS_LOG="0", AUTOBLOG_DATA_DIR=self.tmp)
        env.update(extra)
        return env

    def spawn(self, *args, **extra) -> subprocess.Popen:
        log = open(os.path.join(self.tmp, f"proc{len(self.procs)}.log"), "ab")
        p = subprocess.Popen([str(self.bin), *args], env=self.env(**extra), stdout=log,
                             stderr=log, stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def create_tenant(self, port: int) -> str:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/admin/tenants", method="POST",
            data=json.dumps({"name": f"bench-{time.time_ns()}", "subscription_tier": "enterprise"}).encode(),
            headers={"Authorization": "Bearer bench-admin-token-0123456789abcdef0123",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())["id"]

    def enqueue(self, tenant: str, count: int, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.tool), "--tenant", tenant, "--count", str(count), *args],
                              env=self.env(), check=True, capture_output=True, text=True)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        subprocess.run(["runuser", "-u", "postgres", "--", f"{PGBIN}/pg_ctl", "-D",
                        f"{self.pg}/data", "-m", "fast", "stop"], capture_output=True)
        if not os.environ.get("BENCH_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)


def wait_for(pred, timeout, interval=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(interval)
    return False


def main(argv):
    build = Path(argv[1] if len(argv) > 1 else "build").resolve()
    b = Bench(build)
    lines = [f"## Job queue ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"{os.cpu_count()} cores, PostgreSQL local, fsync on)", ""]
    try:
        b.start_postgres()
        port = 18000 + os.getpid() % 1000
        api = b.spawn("serve", "--listen", f"127.0.0.1:{port}", "--workers", "0")
        if not wait_for(lambda: subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/health"],
                                               capture_output=True).returncode == 0, 60):
            raise SystemExit("bench: server did not start")
        tenant = b.create_tenant(port)
        pg_data = f"{b.pg}/data"

        # 1. throughput
        n = int(os.environ.get("BENCH_JOBS", "20000"))
        worker = b.spawn("worker", "--concurrency", "128", AUTOBLOG_JOB_CLAIM_BATCH="100")
        time.sleep(1.0)
        w0, p0 = cpu_seconds(worker.pid), postgres_cpu(pg_data)
        t0 = time.monotonic()
        b.enqueue(tenant, n, "--bulk", "--per-tx", "1000")
        enqueued_s = time.monotonic() - t0
        done = lambda: int(b.psql("SELECT count(*) FROM autoblog_core.jobs WHERE state = 'succeeded'")) >= n
        if not wait_for(done, 300, 0.02):
            raise SystemExit("bench: jobs did not finish")
        total_s = time.monotonic() - t0
        w1, p1 = cpu_seconds(worker.pid), postgres_cpu(pg_data)
        rate = n / total_s
        lines += ["| figure | value | target |", "|---|---|---|",
                  f"| no-op jobs enqueued and completed | {rate:,.0f} jobs/s ({n} jobs in {total_s:.2f} s; "
                  f"enqueue alone {n / enqueued_s:,.0f}/s) | ≥ 5 000 jobs/s |",
                  f"| batch sizes | enqueue 1 000 per statement; claims ≤ 100; completions batched "
                  f"per 2 ms window; worker concurrency 128 | |",
                  f"| CPU per 1 000 jobs | worker {1000 * (w1 - w0) / n:.3f} s, PostgreSQL "
                  f"{1000 * (p1 - p0) / n:.3f} s | |"]

        # 2. idle latency
        b.psql("SELECT 1")
        t_lat = time.time()
        b.enqueue(tenant, 300, "--per-tx", "1", "--interval-ms", "20")
        wait_for(lambda: b.psql("SELECT count(*) FROM autoblog_core.jobs WHERE state <> 'succeeded'") == "0", 60)
        lat = [float(x) * 1000 for x in b.psql(
            f"SELECT extract(epoch FROM started_at - created_at) FROM autoblog_core.jobs "
            f"WHERE created_at >= to_timestamp({t_lat})").split()]
        lat.sort()
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        lines.append(f"| enqueue-to-start on an idle queue ({len(lat)} jobs) | p50 {p50:.2f} ms, "
                     f"p99 {p99:.2f} ms | p99 ≤ 20 ms |")

        # 3. dead tuples at full rate
        seconds = int(os.environ.get("BENCH_DEAD_TUPLE_SECONDS", "60"))
        samples = []
        t_end = time.monotonic() + seconds
        completed0 = int(b.psql("SELECT count(*) FROM autoblog_core.jobs WHERE state = 'succeeded'"))
        next_sample = time.monotonic()
        while time.monotonic() < t_end:
            b.enqueue(tenant, 5000, "--bulk", "--per-tx", "1000")
            if time.monotonic() >= next_sample:
                samples.append(int(b.psql("SELECT n_dead_tup FROM pg_stat_user_tables "
                                          "WHERE relname = 'jobs'")))
                next_sample += 5
        completed = int(b.psql("SELECT count(*) FROM autoblog_core.jobs WHERE state = 'succeeded'")) - completed0
        vacuums = b.psql("SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 'jobs'")
        first_half = max(samples[: len(samples) // 2] or [0])
        second_half = max(samples[len(samples) // 2:] or [0])
        lines.append(f"| n_dead_tup of autoblog_core.jobs, {seconds} s at full rate "
                     f"({completed} jobs, {completed / seconds:,.0f}/s; autovacuum ran {vacuums}×) | "
                     f"samples every 5 s: {', '.join(str(s) for s in samples)}; max first half "
                     f"{first_half}, second half {second_half} | bounded, not growing |")
        lines += ["", "Retention: finished jobs are pruned after AUTOBLOG_JOB_RETENTION_MS (7 days by "
                  "default), so the live table grows over this run; the dead tuples above are the "
                  "row versions left by claims and completions."]
    finally:
        b.cleanup()
    text = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / "jobs.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv)
