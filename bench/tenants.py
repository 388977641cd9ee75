#!/usr/bin/env python3
"""Many-tenant benchmark steps for bench/run.sh (Python 3 standard library only).

  tenants.py create BASE ADMIN_TOKEN COUNT DEADLINE_S IDS_FILE
      Creates COUNT tenants through POST /v1/admin/tenants over one keep-alive connection,
      sequentially, stopping early at DEADLINE_S seconds. Writes the ids to IDS_FILE and
      prints key=value lines: tenants_created, tenants_failed, tenant_total_s, tenant_ms.
  tenants.py touch BASE ADMIN_TOKEN IDS_FILE DEADLINE_S
      For every id: issue a token, then GET /v1/tenant with it (one keep-alive connection).
      Prints touch_ok, touch_failed, touch_s.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from util import Api  # noqa: E402


def log(msg):
    print(f"tenants: {msg}", file=sys.stderr, flush=True)


def create(base, admin, count, deadline_s, ids_file):
    count, deadline_s = int(count), float(deadline_s)
    api = Api(base)
    ids, failed, first_errors = [], 0, []
    started = time.monotonic()
    stamp = int(time.time())
    for i in range(count):
        if time.monotonic() - started > deadline_s:
            log(f"deadline of {deadline_s:.0f} s reached after {len(ids)} tenants; stopping")
            break
        try:
            status, body = api.call("POST", "/v1/admin/tenants", admin,
                                    {"name": f"bench-{stamp}-{i:05d}"})
        except OSError as e:
            status, body = None, str(e)
        if status == 201 and isinstance(body, dict) and "id" in body:
            ids.append(body["id"])
        else:
            failed += 1
            if len(first_errors) < 5:
                first_errors.append(f"#{i}: HTTP {status} {str(body)[:300]}")
            if failed >= 20 and not ids[-20:]:
                log("20 failures in a row; stopping")
                break
        if (i + 1) % 250 == 0:
            log(f"{i + 1}/{count} in {time.monotonic() - started:.1f} s")
    total = time.monotonic() - started
    for e in first_errors:
        log(f"create failed {e}")
    with open(ids_file, "w") as f:
        f.write("".join(x + "\n" for x in ids))
    attempted = len(ids) + failed
    print(f"tenants_created={len(ids)}")
    print(f"tenants_failed={failed}")
    print(f"tenant_total_s={total:.2f}")
    print(f"tenant_ms={total * 1000 / attempted:.2f}" if attempted else "tenant_ms=")


def touch(base, admin, ids_file, deadline_s):
    api = Api(base)
    ids = [x.strip() for x in open(ids_file) if x.strip()]
    ok, failed, first_errors = 0, 0, []
    started = time.monotonic()
    for tid in ids:
        if time.monotonic() - started > float(deadline_s):
            log(f"deadline reached after {ok + failed} tenants; stopping")
            break
        try:
            status, body = api.call("POST", f"/v1/admin/tenants/{tid}/tokens", admin, {})
            if status == 201:
                status, body = api.call("GET", "/v1/tenant", body["token"])
                good = status == 200 and isinstance(body, dict) and body.get("id") == tid
            else:
                good = False
        except OSError as e:
            status, body, good = None, str(e), False
        if good:
            ok += 1
        else:
            failed += 1
            if len(first_errors) < 5:
                first_errors.append(f"{tid}: HTTP {status} {str(body)[:300]}")
    for e in first_errors:
        log(f"touch failed {e}")
    print(f"touch_ok={ok}")
    print(f"touch_failed={failed}")
    print(f"touch_s={time.monotonic() - started:.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("create", "touch"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    {"create": create, "touch": touch}[sys.argv[1]](*sys.argv[2:])
