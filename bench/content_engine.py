#!/usr/bin/env python3
"""Content engine benchmark (part of `make bench`; alone: python3 bench/content_engine.py build).

Platform CPU per generated article with an AI provider that answers at once, the provider
itself excluded: the OpenAI-compatible test server (tests/e2e/fake_openai.py) runs in THIS
process, so its CPU is not counted; what is counted is everything AutoBlog and its database do.

On a private PostgreSQL 15 cluster (unix socket, fsync on): `autoblog serve --workers 0` (the
API), one `autoblog worker --concurrency 16` pointed at the fake provider, one enterprise
tenants with a brand each (BENCH_TENANTS, default 8; each may run 2 generations at once, as a
growth tenant does). N inspiration-only items spread over them (so every generation makes 3
provider calls: the brief, the article, the image), then N `POST /v1/content/{id}/generate` as
fast as the API takes them while the worker runs them. From the first generate to the last item `generated`: CPU
seconds of the API process, of the worker process and of PostgreSQL (every backend), per
article. Writes bench/results/content_engine.md and prints it.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from jobs import Bench, cpu_seconds, postgres_cpu, wait_for  # noqa: E402
from fake_openai import FakeOpenAI  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "bench-admin-token-0123456789abcdef0123"


def call(port: int, method: str, path: str, token: str, body=None):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def main(argv):
    build = Path(argv[1] if len(argv) > 1 else "build").resolve()
    n = int(os.environ.get("BENCH_ARTICLES", "1000"))
    b = Bench(build)
    ai = FakeOpenAI(keywords=["espresso grinder", "home barista"]).start()
    lines = [f"## Content engine ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"{os.cpu_count()} cores, PostgreSQL local, fsync on)", ""]
    try:
        b.start_postgres()
        port = _free_port()
        api = b.spawn("serve", "--listen", f"127.0.0.1:{port}", "--workers", "0")
        if not wait_for(lambda: _up(port), 60):
            raise SystemExit("bench: server did not start")
        n_tenants = int(os.environ.get("BENCH_TENANTS", "8"))
        jobs_to_run = []  # (token, item id)
        for t in range(n_tenants):
            tenant = call(port, "POST", "/v1/admin/tenants", ADMIN,
                          {"name": f"bench-{t}-{time.time_ns()}",
                           "subscription_tier": "enterprise"})["id"]
            call(port, "PATCH", f"/v1/admin/tenants/{tenant}", ADMIN,
                 {"limits": {"max_daily_content": -1, "max_concurrent_generations": 2,
                             "requests_per_hour": 1000000}})
            token = call(port, "POST", f"/v1/admin/tenants/{tenant}/tokens", ADMIN, {})["token"]
            call(port, "PUT", "/v1/brand", token,
                 {"voice_tone": {"tone": "warm", "person": "we"}, "topics": ["home espresso"],
                  "seo_strategy": {"keywords": ["espresso grinder"]}})
            for i in range(t, n, n_tenants):
                item = call(port, "POST", "/v1/content", token,
                            {"inspiration_data": {"title": f"Grinder notes {i}"}})["id"]
                jobs_to_run.append((token, item))

        worker = b.spawn("worker", "--concurrency", "16", **ai.env())
        time.sleep(1.0)
        pg_data = f"{b.pg}/data"
        a0, w0, p0 = cpu_seconds(api.pid), cpu_seconds(worker.pid), postgres_cpu(pg_data)
        t0 = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda j: call(port, "POST", f"/v1/content/{j[1]}/generate", j[0]),
                          jobs_to_run))
        # Polled twice a second: every poll is a psql connection (a backend fork) whose CPU
        # counts as PostgreSQL's; at 20 polls/s it added about 1 ms per article.
        done = lambda: b.psql(
            "SELECT NOT EXISTS (SELECT 1 FROM autoblog_core.jobs WHERE state IN ('queued', 'running'))") == "t"
        if not wait_for(done, 600, 0.5):
            raise SystemExit("bench: generations did not finish")
        total_s = time.monotonic() - t0
        a1, w1, p1 = cpu_seconds(api.pid), cpu_seconds(worker.pid), postgres_cpu(pg_data)
        states = b.psql("SELECT state, count(*) FROM autoblog_core.jobs "
                        "WHERE kind = 'generate_content' GROUP BY state ORDER BY state")
        succeeded = int(b.psql("SELECT count(*) FROM autoblog_core.jobs "
                               "WHERE kind = 'generate_content' AND state = 'succeeded'"))
        if succeeded != n:
            raise SystemExit(f"bench: {succeeded} of {n} generations succeeded ({states})")
        calls = len(ai.requests())
        per = lambda a, b_: 1000 * (b_ - a) / n
        api_ms, worker_ms, pg_ms = per(a0, a1), per(w0, w1), per(p0, p1)
        lines += [
            "| figure | value | target |", "|---|---|---|",
            f"| articles generated | {n} in {total_s:.1f} s ({n / total_s:.0f}/s), {calls} provider "
            f"calls (brief, article, image each), {n_tenants} tenants, worker concurrency 16 | |",
            f"| AutoBlog CPU per article (API + worker) | **{api_ms + worker_ms:.2f} ms**: API "
            f"{api_ms:.2f} ms (the generate request), worker {worker_ms:.2f} ms (brief, article, "
            f"scores, image stored, transactions) | ≤ 5 ms |",
            f"| PostgreSQL CPU per article | {pg_ms:.2f} ms (every backend: the generate "
            f"transaction, the claim, the load, the store-and-complete transaction, "
            f"heartbeats) | reported |",
            f"| total | {api_ms + worker_ms + pg_ms:.2f} ms | |",
            "| provider | the fake OpenAI-compatible server, in the benchmark's own process "
            "(excluded) | |",
        ]
    finally:
        ai.stop()
        b.cleanup()
    text = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / "content_engine.md"
    out.write_text(text)
    print(text)


def _free_port() -> int:
    """A port nothing listens on now (the kernel's choice), so a busy machine's other servers
    cannot answer in ours' place."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    main(sys.argv)
