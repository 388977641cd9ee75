#!/usr/bin/env python3
"""Tenant reads at scale: GET /v1/content/{id} for one tenant and round-robin over many tenants
(a wrk Lua script rotating tokens and ids), alternated in the same run, each reported as req/s
and CPU per request of the server and of PostgreSQL's backends (utime + stime from /proc over
the measured run ÷ requests), plus pgbench `SELECT *` by primary key (prepared) as the
database's own floor and pgbench of the API's own statement.

    python3 bench/tenant_reads.py API ADMIN_TOKEN TENANT_IDS_FILE PG_DATA PG_SOCKET SERVER_PID OUT_DIR

TENANT_IDS_FILE lists existing tenants (one id per line, from bench/tenants.py create); each
gets its limit lifted, a token and one content item. Prints k=v lines for bench/util.py report.
Rounds and durations: TR_ROUNDS (3), TR_SECONDS (8), TR_WARMUP_S (12, round-robin only; one
tenant warms up for 3 s).

The round-robin warm-up is long on purpose: every pooled PostgreSQL backend builds its own
relation cache entries the first time it touches a tenant's tables, so the first tens of
thousands of requests over 1 000 tenants cost the database several times the steady state
(measured: about 530 µs per read in the first 8 s after a 3 s warm-up, 215 µs in the third
8 s). The figures are the steady state; the cold cost is a one-time cost per backend.
"""
import concurrent.futures
import os
import statistics
import subprocess
import sys

from util import Api, die, expect
from ab_cpu_per_request import cpu_seconds, postgres_pids

PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
ROUNDS = int(os.environ.get("TR_ROUNDS", "3"))
SECONDS = int(os.environ.get("TR_SECONDS", "8"))
WARMUP = int(os.environ.get("TR_WARMUP_S", "12"))

LUA = r"""
-- Rotates (token, content id) pairs read from PAIRS_FILE; each wrk thread starts elsewhere.
local pairs_ = {}
for line in io.lines("%(pairs)s") do
  local token, id = line:match("^(%%S+) (%%S+)$")
  pairs_[#pairs_ + 1] = {"/v1/content/" .. id, {Authorization = "Bearer " .. token}}
end
local n, k = #pairs_, 0
function init(args) k = math.random(n) end
function request()
  k = k %% n + 1
  local p = pairs_[k]
  return wrk.format("GET", p[1], p[2])
end
"""


def prepare_tenant(base, admin, tid):
    api = Api(base)
    expect("lift limit", *api.call("PATCH", f"/v1/admin/tenants/{tid}", admin,
                                   {"limits": {"requests_per_hour": 1000000000}}), 200)
    tok = expect("token", *api.call("POST", f"/v1/admin/tenants/{tid}/tokens", admin,
                                    {"ttl_seconds": 7200}), 201)["token"]
    item = expect("content", *api.call("POST", "/v1/content", tok,
                                       {"inspiration_data": {"source": "bench", "tenant": tid}}),
                  201)
    tenant = expect("tenant", *api.call("GET", f"/v1/admin/tenants/{tid}", admin), 200)
    return tok, item["id"], tenant["schema_name"]


def wrk_run(script, url, seconds):
    out = subprocess.run(["timeout", str(seconds + 15), "wrk", "-t2", "-c64", f"-d{seconds}s",
                          "-s", script, url], capture_output=True, text=True).stdout
    try:
        requests = int(next(l for l in out.splitlines() if "requests in" in l).split()[0])
        rps = float(next(l for l in out.splitlines() if l.startswith("Requests/sec")).split()[1])
    except StopIteration:
        die(f"wrk output not understood: {out[-500:]}")
    errors = sum(int(l.split()[-1]) for l in out.splitlines() if "Non-2xx" in l)
    return requests, rps, errors


def measure(script, url, server_pid, pg_data):
    s0, p0 = cpu_seconds([server_pid]), cpu_seconds(postgres_pids(pg_data))
    requests, rps, errors = wrk_run(script, url, SECONDS)
    s1, p1 = cpu_seconds([server_pid]), cpu_seconds(postgres_pids(pg_data))
    return {"rps": rps, "server_us": (s1 - s0) / requests * 1e6,
            "pg_us": (p1 - p0) / requests * 1e6, "errors": errors}


def pgbench(sql_file, socket, seconds, clients=8):
    """tps of a prepared pgbench run. (Not CPU per transaction: pgbench's own backends exit with
    it, taking their CPU time with them before /proc can be read.)"""
    out = subprocess.run(["timeout", str(seconds + 20), f"{PGBIN}/pgbench", "-n", "-M", "prepared",
                          "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", sql_file,
                          "-h", socket, "-U", "autoblog", "autoblog"],
                         capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("tps = "):
            return float(line.split()[2])
    die(f"pgbench failed: {out.stdout[-300:]} {out.stderr[-300:]}")


def main(argv):
    if len(argv) != 8:
        sys.exit(__doc__)
    base, admin, ids_file, pg_data, pg_socket, server_pid, out_dir = argv[1:]
    server_pid = int(server_pid)
    ids = [l.strip() for l in open(ids_file) if l.strip()]
    if not ids:
        die("no tenants to read")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        prepared = list(pool.map(lambda t: prepare_tenant(base, admin, t), ids))
    pairs_file = os.path.join(out_dir, "tenant_pairs.txt")
    with open(pairs_file, "w") as f:
        f.write("".join(f"{tok} {cid}\n" for tok, cid, _ in prepared))
    with open(os.path.join(out_dir, "one_pair.txt"), "w") as f:
        f.write(f"{prepared[0][0]} {prepared[0][1]}\n")
    scripts = {}
    for name, path in (("one", os.path.join(out_dir, "one_pair.txt")), ("rr", pairs_file)):
        scripts[name] = os.path.join(out_dir, f"tenant_reads_{name}.lua")
        with open(scripts[name], "w") as f:
            f.write(LUA % {"pairs": path})
    url = base + "/"
    # Warm-up: connections, caches, prepared statements, and each backend's relation cache.
    wrk_run(scripts["one"], url, 3)
    wrk_run(scripts["rr"], url, WARMUP)
    runs = {"one": [], "rr": []}
    for r in range(ROUNDS):
        for name in ("one", "rr"):
            m = measure(scripts[name], url, server_pid, pg_data)
            runs[name].append(m)
            print(f"tenant reads: round {r + 1} {name}: {m['rps']:.0f} req/s, server "
                  f"{m['server_us']:.1f} us/req, postgres {m['pg_us']:.1f} us/req, "
                  f"non-2xx {m['errors']}", file=sys.stderr, flush=True)
    print(f"tr_tenants={len(prepared)}")
    for name, ms in runs.items():
        for key in ("rps", "server_us", "pg_us"):
            print(f"tr_{name}_{key}={statistics.median(m[key] for m in ms):.1f}")
        rates = " / ".join(format(m["rps"], ".0f") for m in ms)
        print(f"tr_{name}_runs={rates}")
        print(f"tr_{name}_errors={sum(m['errors'] for m in ms)}")
    # The database's own figures on the same row: its floor, and the API's statement.
    tok, cid, schema = prepared[0]
    floor = os.path.join(out_dir, "pk.sql")
    with open(floor, "w") as f:
        f.write(f'SELECT * FROM "{schema}".content_pipelines WHERE id = \'{cid}\';\n')
    api_sql = os.path.join(out_dir, "api_read.sql")
    with open(api_sql, "w") as f:  # the one statement the API sends for this read
        f.write("SELECT id, status, inspiration_data, content_brief, generated_content, "
                "visual_assets, quality_scores, published_at, created_at, updated_at "
                f'FROM "{schema}".content_pipelines WHERE id = \'{cid}\';\n')
    for name, sql in (("pk", floor), ("api", api_sql)):
        print(f"tr_pgbench_{name}_tps={pgbench(sql, pg_socket, SECONDS):.0f}")


if __name__ == "__main__":
    main(sys.argv)
