"""E2E: the job queue through the API (docs/api.md "Jobs", docs/jobs.md).

- the daily content quota under 50 concurrent generate requests (exactly the limit accepted);
- the tiers' concurrent-generation caps across two `autoblog worker` processes, checked from
  the recorded start and end times of every job;
- a server killed with kill -9 while generations are queued and running: after a restart every
  one finishes;
- the API itself: job JSON, isolation, filters and pages, cancel and its refund, conflicts, the
  admin queue view, tenant deletion, usage in GET /v1/tenant, metrics.
"""
import datetime as dt
import re
import secrets
import threading
import unittest

from harness import (UUID_RE, E2ETestCase, Server, WorkerProcess, drop_database,
                     fresh_database, metric_value, now_utc, parse_ts, psql, psql_rows, q,
                     random_uuid, wait_until)

JOB_KEYS = {"id", "kind", "state", "priority", "attempts", "max_attempts", "run_at",
            "started_at", "finished_at", "last_error", "result", "created_at"}
JOB_STATES = {"queued", "running", "succeeded", "failed", "dead", "cancelled"}
FINISHED = {"succeeded", "failed", "dead", "cancelled"}
SIX_DIGIT_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
RFC3339_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")


# --------------------------------------------------------------------------------------------
# Helpers shared by the classes


class JobsHelpers:
    server: Server

    def create_items(self, token, n, brief=False, server=None):
        srv = server or self.server
        ids = []
        for i in range(n):
            body = {"inspiration_data": {"idea": f"idea {i} {secrets.token_hex(3)}"}}
            if brief:
                body["content_brief"] = {"angle": "beginners"}
            status, _, item = srv.request("POST", "/v1/content", body, token=token)
            self.assertEqual(status, 201, item)
            ids.append(item["id"])
        return ids

    def generate(self, token, item_id, server=None):
        return (server or self.server).request("POST", f"/v1/content/{item_id}/generate",
                                               token=token)

    def generate_ok(self, token, item_id, server=None):
        status, headers, body = self.generate(token, item_id, server)
        self.assertEqual(status, 202, body)
        self.assertEqual(set(body), {"job"}, body)
        job = body["job"]
        self.check_job(job)
        self.assertEqual(headers.get("location"), f"/v1/jobs/{job['id']}")
        return job

    def check_job(self, job):
        self.assertIsInstance(job, dict)
        self.assertEqual(set(job), JOB_KEYS, f"job keys: {job!r}")
        self.assertRegex(job["id"], UUID_RE)
        self.assertIn(job["kind"], {"generate_content", "discover_trends", "noop"})
        self.assertIn(job["state"], JOB_STATES)
        self.assertIn(job["priority"], {"high", "normal", "low"})
        for k in ("attempts", "max_attempts"):
            self.assertIsInstance(job[k], int, k)
            self.assertNotIsInstance(job[k], bool, k)
        self.assertGreaterEqual(job["attempts"], 0)
        self.assertGreaterEqual(job["max_attempts"], 1)
        for k in ("run_at", "created_at", "started_at", "finished_at"):
            if job[k] is not None or k in ("run_at", "created_at"):
                self.assertRegex(job[k], SIX_DIGIT_UTC, k)
                parse_ts(job[k])
        if job["last_error"] is not None:
            self.assertIsInstance(job["last_error"], str)
        if job["result"] is not None:
            self.assertIsInstance(job["result"], dict)
        # started_at is set by the first claim, finished_at once the job has ended
        if job["state"] in ("running", "succeeded", "failed", "dead"):
            self.assertIsNotNone(job["started_at"], job)
        if job["state"] in FINISHED:
            self.assertIsNotNone(job["finished_at"], job)
        else:
            self.assertIsNone(job["finished_at"], job)

    def get_job(self, token, job_id, server=None):
        status, _, job = (server or self.server).request("GET", f"/v1/jobs/{job_id}",
                                                         token=token)
        self.assertEqual(status, 200, job)
        self.check_job(job)
        return job

    def item_status(self, token, item_id, server=None):
        status, _, item = (server or self.server).request("GET", f"/v1/content/{item_id}",
                                                          token=token)
        self.assertEqual(status, 200, item)
        return item["status"]

    def usage(self, token, server=None):
        status, _, u = (server or self.server).request("GET", "/v1/usage", token=token)
        self.assertEqual(status, 200, u)
        self.assertEqual(set(u), {"requests_per_hour", "content_today",
                                  "concurrent_generations", "ai_tokens_today",
                                  "images_today"}, u)
        self.assertEqual(set(u["content_today"]), {"used", "limit", "resets_at"}, u)
        self.assertEqual(set(u["concurrent_generations"]), {"running", "limit"}, u)
        # the API's timestamp form: six fractional digits, UTC
        self.assertRegex(u["content_today"]["resets_at"], SIX_DIGIT_UTC)
        parse_ts(u["content_today"]["resets_at"])
        return u

    def all_jobs(self, token, server=None, **params):
        srv = server or self.server
        items, cursor = [], None
        for _ in range(100):
            status, _, page = srv.request("GET", q("/v1/jobs", limit=100, cursor=cursor,
                                                   **params), token=token)
            self.assertEqual(status, 200, page)
            items.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return items
        self.fail("job pages did not end")

    def wait_jobs_finished(self, token, ids, timeout, server=None):
        """Polls GET /v1/jobs (one request a poll: tenants are rate limited) until every job in
        `ids` has finished; returns them in the order of `ids`."""
        wanted = set(ids)
        last = {}

        def poll():
            last.clear()
            last.update({j["id"]: j for j in self.all_jobs(token, server) if j["id"] in wanted})
            return all(last.get(i, {}).get("state") in FINISHED for i in ids)

        if not wait_until(poll, timeout, 0.2):
            states = {i: last.get(i, {}).get("state") for i in ids}
            self.fail(f"jobs not finished within {timeout}s: {states}")
        for job in last.values():
            self.check_job(job)
        return [last[i] for i in ids]

    def tenant_job_count(self, tenant_id):
        return int(psql(self.db, "SELECT count(*) FROM autoblog_core.jobs "
                                 f"WHERE tenant_id = '{tenant_id}'"))

    def set_limits(self, tenant_id, limits, server=None):
        status, _, t = (server or self.server).admin("PATCH", f"/v1/admin/tenants/{tenant_id}",
                                                      {"limits": limits})
        self.assertEqual(status, 200, t)
        return t


def next_utc_midnight(now):
    return (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def max_overlap(intervals):
    """The largest number of [start, end) intervals holding at one instant (an end at the
    same instant as a start does not overlap it)."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals],
                    key=lambda ev: (ev[0], ev[1]))
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    return peak


class JobsServerCase(JobsHelpers, E2ETestCase):
    """One fresh database and one `autoblog serve` per class: DB_NAME, WORKERS (in-process job
    workers) and SERVER_ENV say which."""
    DB_NAME = "jobs"
    WORKERS = 0
    SERVER_ENV: dict | None = None

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database(cls.DB_NAME)
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, workers=cls.WORKERS, env=cls.SERVER_ENV)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()


# --------------------------------------------------------------------------------------------
# 1. The daily quota under concurrency


class DailyQuotaTest(JobsServerCase):
    """No worker runs (--workers 0): every accepted job stays queued while we count."""
    DB_NAME = "jobs_quota"

    def test_fifty_concurrent_generates_accept_exactly_the_daily_limit(self):
        tenant, token = self.server.new_tenant_with_token("starter")
        items = self.create_items(token, 50)
        barrier = threading.Barrier(len(items))
        results = {}

        def one(item_id):
            client = self.server.client()  # its own connection
            try:
                barrier.wait(timeout=30)
                results[item_id] = client.request("POST", f"/v1/content/{item_id}/generate",
                                                  token=token)
            except Exception as e:  # asserted below
                results[item_id] = (-1, {}, repr(e))
            finally:
                client._close_conn()

        threads = [threading.Thread(target=one, args=(i,)) for i in items]
        sent_at = now_utc()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(len(results), 50)

        accepted = {i: r for i, r in results.items() if r[0] == 202}
        refused = {i: r for i, r in results.items() if r[0] == 429}
        others = {i: r for i, r in results.items() if r[0] not in (202, 429)}
        self.assertEqual(others, {}, "every answer is 202 or 429")
        self.assertEqual(len(accepted), 10, "exactly max_daily_content accepted")
        self.assertEqual(len(refused), 40)

        reset = next_utc_midnight(sent_at)
        for item_id, (status, headers, body) in refused.items():
            self.assertError((status, headers, body), 429, "quota_exceeded")
            retry_after = int(headers.get("retry-after", "0"))
            self.assertGreater(retry_after, 0, headers)
            # Retry-After counts the seconds to the reset: midnight UTC
            until = (reset - sent_at).total_seconds()
            self.assertLessEqual(abs(retry_after - until), 30, (retry_after, until))
            m = RFC3339_IN_TEXT.search(body["error"]["message"])
            self.assertIsNotNone(m, f"the reset time is in the message: {body!r}")
            self.assertEqual(parse_ts(m.group(0)), reset, body)

        job_ids = set()
        for status, headers, body in accepted.values():
            job = body["job"]
            self.check_job(job)
            self.assertEqual((job["kind"], job["state"], job["priority"]),
                             ("generate_content", "queued", "high"))
            self.assertEqual(headers.get("location"), f"/v1/jobs/{job['id']}")
            job_ids.add(job["id"])
        self.assertEqual(len(job_ids), 10)

        # exactly 10 jobs exist: in the API and in the table
        listed = self.all_jobs(token)
        self.assertEqual({j["id"] for j in listed}, job_ids)
        self.assertEqual(self.tenant_job_count(tenant["id"]), 10)
        rows = psql_rows(self.db, "SELECT payload->>'content_id' FROM autoblog_core.jobs "
                                  f"WHERE tenant_id = '{tenant['id']}'")
        self.assertEqual({r[0] for r in rows}, set(accepted), "one job per accepted item")

        u = self.usage(token)
        self.assertEqual(u["content_today"]["used"], 10, u)
        self.assertEqual(u["content_today"]["limit"], 10, u)
        self.assertEqual(parse_ts(u["content_today"]["resets_at"]), reset, u)
        self.assertEqual(u["concurrent_generations"], {"running": 0, "limit": 1}, u)

        # the accepted items are generating; the refused ones were left as they were
        for item_id in items:
            expected = "generating" if item_id in accepted else "inspiration"
            self.assertEqual(self.item_status(token, item_id), expected, item_id)

        # one more is refused too, and refusals reserved nothing
        extra = self.create_items(token, 1)[0]
        self.assertError(self.generate(token, extra), 429, "quota_exceeded")
        self.assertEqual(self.usage(token)["content_today"]["used"], 10)


# --------------------------------------------------------------------------------------------
# 2. Concurrency caps across worker processes


class ConcurrencyCapsTest(JobsServerCase):
    """An API server without workers and two `autoblog worker --concurrency 4` processes on the
    same database (8 slots in all); each generation takes 300 ms, so they overlap."""
    DB_NAME = "jobs_caps"

    def start_workers(self, n, concurrency):
        workers = []
        for _ in range(n):
            w = WorkerProcess(self.db, concurrency, env={
                "AUTOBLOG_AI_TEMPLATE_LATENCY_MS": "300",
                # slots freed in the other process are found by the poll
                "AUTOBLOG_JOB_POLL_MS": "100"})
            self.addCleanup(w.cleanup)
            workers.append(w.start())
        return workers

    def test_tier_caps_hold_across_two_worker_processes(self):
        starter, starter_tok = self.server.new_tenant_with_token("starter")
        growth, growth_tok = self.server.new_tenant_with_token("growth")
        capped, capped_tok = self.server.new_tenant_with_token("growth")
        # 20 generations must fit in the starter's day; the third tenant is capped at 2
        self.set_limits(starter["id"], {"max_daily_content": 100})
        self.set_limits(capped["id"], {"max_concurrent_generations": 2})
        self.assertEqual(self.usage(capped_tok)["concurrent_generations"]["limit"], 2)

        plan = {starter["id"]: (starter_tok, 20, 1), growth["id"]: (growth_tok, 20, 3),
                capped["id"]: (capped_tok, 10, 2)}
        jobs = {}  # tenant id -> job ids
        items = {}
        for tid, (tok, n, _) in plan.items():
            items[tid] = self.create_items(tok, n)
            jobs[tid] = [self.generate_ok(tok, i)["id"] for i in items[tid]]

        workers = self.start_workers(2, 4)
        # both processes hold jobs at once, so the caps are shared between them
        owners = wait_until(lambda: int(psql(
            self.db, "SELECT count(DISTINCT lease_owner) FROM autoblog_core.jobs "
                     "WHERE state = 'running'")) >= 2, 20, 0.05)
        self.assertTrue(owners, "both worker processes should run jobs at the same time\n"
                        + "\n".join(w.log() for w in workers))
        for tid, (tok, _, _) in plan.items():
            done = self.wait_jobs_finished(tok, jobs[tid], timeout=60)
            self.assertEqual({j["state"] for j in done}, {"succeeded"},
                             [(j["id"], j["state"], j["last_error"]) for j in done])
            for item_id in items[tid]:
                self.assertEqual(self.item_status(tok, item_id), "generated")
        for w in workers:
            self.assertTrue(w.alive(), "worker exited early\n" + w.log())
            self.assertEqual(w.stop(), 0, w.log())

        # the recorded start and end of every job (microseconds, from the database)
        rows = psql_rows(self.db, "SELECT tenant_id, extract(epoch FROM started_at), "
                                  "extract(epoch FROM finished_at), attempts "
                                  "FROM autoblog_core.jobs WHERE state = 'succeeded'")
        by_tenant = {}
        for tid, start, end, attempts in rows:
            self.assertEqual(attempts, "1", "no job was retried")
            self.assertLess(float(start), float(end))
            by_tenant.setdefault(tid, []).append((float(start), float(end)))
        for tid, (_, n, cap) in plan.items():
            self.assertEqual(len(by_tenant.get(tid, [])), n)
            peak = max_overlap(by_tenant[tid])
            self.assertLessEqual(peak, cap, f"tenant capped at {cap} ran {peak} at once: "
                                 f"{sorted(by_tenant[tid])}")
            # the cap was reached, so the check above could have failed
            self.assertEqual(peak, cap, f"tenant capped at {cap} never ran {cap} at once")
        u = self.usage(growth_tok)
        self.assertEqual(u["concurrent_generations"], {"running": 0, "limit": 3}, u)
        self.assertEqual(u["content_today"]["used"], 20, u)


# --------------------------------------------------------------------------------------------
# 3. kill -9 with generations queued and running


class CrashRecoveryTest(JobsServerCase):
    LEASE_ENV = {"AUTOBLOG_JOB_LEASE_MS": "2000", "AUTOBLOG_JOB_HEARTBEAT_MS": "500",
                 "AUTOBLOG_JOB_POLL_MS": "200", "AUTOBLOG_AI_TEMPLATE_LATENCY_MS": "1000"}
    DB_NAME = "jobs_crash"
    WORKERS = 2
    SERVER_ENV = LEASE_ENV

    def test_generations_finish_after_kill_9_and_restart(self):
        tenant, token = self.server.new_tenant_with_token("growth")
        items = self.create_items(token, 8)
        job_ids = [self.generate_ok(token, i)["id"] for i in items]

        def running():
            states = {j["id"]: j["state"] for j in self.all_jobs(token)}
            ids = [i for i in job_ids if states[i] == "running"]
            return ids if len(ids) >= 2 else None

        were_running = wait_until(running, 20, 0.05)
        self.assertTrue(were_running, "two generations should be running")
        self.server.kill()
        left = int(psql(self.db, "SELECT count(*) FROM autoblog_core.jobs WHERE "
                                 f"tenant_id = '{tenant['id']}' AND state <> 'succeeded'"))
        self.assertGreater(left, 0, "the kill must leave unfinished generations")

        self.server.start()
        done = self.wait_jobs_finished(token, job_ids, timeout=40)
        self.assertEqual({j["state"] for j in done}, {"succeeded"},
                         [(j["id"], j["state"], j["last_error"]) for j in done])
        for item_id in items:
            self.assertEqual(self.item_status(token, item_id), "generated")
        # a job that was running when the server died ran again after its lease expired
        again = [j for j in done if j["id"] in were_running and j["attempts"] == 2]
        self.assertTrue(again, [(j["id"], j["attempts"]) for j in done])
        # one unit per generation, however many attempts; no slot left taken
        u = self.usage(token)
        self.assertEqual(u["content_today"]["used"], 8, u)
        self.assertEqual(u["concurrent_generations"]["running"], 0, u)


# --------------------------------------------------------------------------------------------
# 4. The API


class JobsApiTest(JobsServerCase):
    """Server without workers, and no worker on its database: every job stays queued."""
    DB_NAME = "jobs_api"

    def test_job_json_and_get(self):
        _, token = self.server.new_tenant_with_token("starter")
        item = self.create_items(token, 1)[0]
        before = now_utc()
        job = self.generate_ok(token, item)
        self.assertEqual(job["kind"], "generate_content")
        self.assertEqual(job["state"], "queued")
        self.assertEqual(job["priority"], "high")
        self.assertEqual(job["attempts"], 0)
        self.assertEqual(job["max_attempts"], 3)
        for k in ("started_at", "finished_at", "last_error", "result"):
            self.assertIsNone(job[k], k)
        self.assertLess(abs((parse_ts(job["created_at"]) - before).total_seconds()), 60)
        self.assertLessEqual(parse_ts(job["run_at"]), now_utc() + dt.timedelta(seconds=5))
        self.assertEqual(self.get_job(token, job["id"]), job)
        self.assertEqual(self.item_status(token, item), "generating")
        # the id is case-insensitive like every UUID in the API
        self.assertEqual(self.get_job(token, job["id"].upper())["id"], job["id"])

    def test_isolation_and_bad_ids(self):
        _, token_a = self.server.new_tenant_with_token("starter")
        _, token_b = self.server.new_tenant_with_token("starter")
        job = self.generate_ok(token_a, self.create_items(token_a, 1)[0])
        self.assertError(self.req("GET", f"/v1/jobs/{job['id']}", token=token_b), 404,
                         "not_found", "another tenant's job")
        self.assertError(self.req("DELETE", f"/v1/jobs/{job['id']}", token=token_b), 404,
                         "not_found", "cancel another tenant's job")
        self.assertEqual(self.get_job(token_a, job["id"])["state"], "queued",
                         "the other tenant's cancel changed nothing")
        self.assertError(self.req("GET", f"/v1/jobs/{random_uuid()}", token=token_a), 404,
                         "not_found")
        self.assertError(self.req("DELETE", f"/v1/jobs/{random_uuid()}", token=token_a), 404,
                         "not_found")
        for bad in ("not-a-uuid", "12345", job["id"] + "0"):
            with self.subTest(bad=bad):
                self.assertError(self.req("GET", f"/v1/jobs/{bad}", token=token_a), 400,
                                 "invalid_request")
                self.assertError(self.req("DELETE", f"/v1/jobs/{bad}", token=token_a), 400,
                                 "invalid_request")
                self.assertError(self.generate(token_a, bad), 400, "invalid_request")
        self.assertError(self.req("GET", "/v1/jobs"), 401, "unauthorized")
        self.assertError(self.req("GET", f"/v1/jobs/{job['id']}"), 401, "unauthorized")

    def test_list_filters_and_pages(self):
        _, token = self.server.new_tenant_with_token("growth")
        items = self.create_items(token, 5)
        ids = [self.generate_ok(token, i)["id"] for i in items]
        status, _, cancelled = self.req("DELETE", f"/v1/jobs/{ids[1]}", token=token)
        self.assertEqual(status, 200, cancelled)

        listed, sizes = self.walk_list("/v1/jobs", token, limit=2)
        self.assertEqual(sizes, [2, 2, 1])
        for j in listed:
            self.check_job(j)
        self.assertEqual([j["id"] for j in listed], list(reversed(ids)), "newest first")

        queued, _ = self.walk_list("/v1/jobs", token, limit=3, state="queued")
        self.assertEqual({j["id"] for j in queued}, set(ids) - {ids[1]})
        self.assertEqual({j["state"] for j in queued}, {"queued"})
        only_cancelled, _ = self.walk_list("/v1/jobs", token, limit=10, state="cancelled")
        self.assertEqual([j["id"] for j in only_cancelled], [ids[1]])
        running, _ = self.walk_list("/v1/jobs", token, limit=10, state="running")
        self.assertEqual(running, [])
        gen, _ = self.walk_list("/v1/jobs", token, limit=10, kind="generate_content")
        self.assertEqual(len(gen), 5)
        noop, _ = self.walk_list("/v1/jobs", token, limit=10, kind="noop")
        self.assertEqual(noop, [])
        both, _ = self.walk_list("/v1/jobs", token, limit=10, kind="generate_content",
                                 state="cancelled")
        self.assertEqual([j["id"] for j in both], [ids[1]])

        for params, why in (({"state": "sleeping"}, "unknown state"),
                            ({"state": ""}, "empty state"),
                            ({"kind": "mine_bitcoin"}, "unknown kind"),
                            ({"limit": 0}, "limit 0"),
                            ({"limit": 100000}, "limit too large"),
                            ({"limit": "ten"}, "limit not a number"),
                            ({"cursor": "garbage"}, "bad cursor")):
            with self.subTest(why=why):
                self.assertError(self.req("GET", q("/v1/jobs", **params), token=token), 400,
                                 "invalid_request", why)

    def test_cancel_queued_job(self):
        _, token = self.server.new_tenant_with_token("starter")
        fresh, briefed = self.create_items(token, 1)[0], self.create_items(token, 1, True)[0]
        self.assertEqual(self.item_status(token, briefed), "briefed")
        job1 = self.generate_ok(token, fresh)
        job2 = self.generate_ok(token, briefed)
        self.assertEqual(self.usage(token)["content_today"]["used"], 2)

        status, _, c = self.req("DELETE", f"/v1/jobs/{job1['id']}", token=token)
        self.assertEqual(status, 200, c)
        self.check_job(c)
        self.assertEqual(c["id"], job1["id"])
        self.assertEqual(c["state"], "cancelled")
        self.assertIsNotNone(c["finished_at"])
        self.assertEqual(self.get_job(token, job1["id"]), c)
        self.assertEqual(self.item_status(token, fresh), "inspiration", "back where it was")
        self.assertEqual(self.usage(token)["content_today"]["used"], 1, "unit refunded")

        status, _, c2 = self.req("DELETE", f"/v1/jobs/{job2['id']}", token=token)
        self.assertEqual(status, 200, c2)
        self.assertEqual(self.item_status(token, briefed), "briefed", "back where it was")
        self.assertEqual(self.usage(token)["content_today"]["used"], 0)

        # a second cancel is a conflict and refunds nothing more
        self.assertError(self.req("DELETE", f"/v1/jobs/{job1['id']}", token=token), 409,
                         "conflict", "cancel a cancelled job")
        self.assertEqual(self.usage(token)["content_today"]["used"], 0)
        # the item can be generated again
        job3 = self.generate_ok(token, fresh)
        self.assertNotEqual(job3["id"], job1["id"])
        self.assertEqual(self.usage(token)["content_today"]["used"], 1)

    def test_generate_conflicts_and_missing_item(self):
        tenant, token = self.server.new_tenant_with_token("starter")
        a, b = self.create_items(token, 2)
        self.generate_ok(token, a)
        self.assertError(self.generate(token, a), 409, "conflict", "item is generating")
        psql(self.db, f'UPDATE "{tenant["schema_name"]}".content_pipelines '
                      f"SET status = 'approved' WHERE id = '{b}'")
        self.assertError(self.generate(token, b), 409, "conflict", "item is approved")
        self.assertError(self.generate(token, random_uuid()), 404, "not_found", "no such item")
        _, other_token = self.server.new_tenant_with_token("starter")
        self.assertError(self.generate(other_token, b), 404, "not_found", "other tenant's item")
        # none of the refusals reserved a unit or made a job
        self.assertEqual(self.usage(token)["content_today"]["used"], 1)
        self.assertEqual(len(self.all_jobs(token)), 1)
        self.assertEqual(self.item_status(token, b), "approved")

    def test_tenant_shows_usage(self):
        _, token = self.server.new_tenant_with_token("growth")
        self.generate_ok(token, self.create_items(token, 1)[0])
        status, _, me = self.req("GET", "/v1/tenant", token=token)
        self.assertEqual(status, 200, me)
        usage = me["usage"]
        self.assertEqual(usage["content_today"]["used"], 1, usage)
        self.assertEqual(usage["content_today"]["limit"], 50, usage)
        self.assertRegex(usage["content_today"]["resets_at"], SIX_DIGIT_UTC)
        self.assertEqual(parse_ts(usage["content_today"]["resets_at"]),
                         next_utc_midnight(now_utc()), usage)
        self.assertEqual(usage["concurrent_generations"], {"running": 0, "limit": 3}, usage)
        self.assertEqual(usage["content_created_today"], 1, usage)

    def test_unlimited_content_is_null_limit(self):
        _, token = self.server.new_tenant_with_token("enterprise")
        u = self.usage(token)
        self.assertIsNone(u["content_today"]["limit"], u)
        self.assertEqual(u["concurrent_generations"]["limit"], 10, u)
        self.generate_ok(token, self.create_items(token, 1)[0])
        self.assertEqual(self.usage(token)["content_today"]["used"], 1)

    def test_admin_queue(self):
        _, token = self.server.new_tenant_with_token("growth")
        for item in self.create_items(token, 3):
            self.generate_ok(token, item)
        status, _, queue = self.admin("GET", "/v1/admin/queue")
        self.assertEqual(status, 200, queue)
        self.assertEqual(set(queue), {"depth", "oldest_runnable_age_seconds",
                                      "running_per_tenant"}, queue)
        self.assertEqual(set(queue["depth"]), {"high", "normal", "low"}, queue)
        for counts in queue["depth"].values():
            self.assertEqual(set(counts), {"queued", "running"}, queue)
        expected = {(p, s): int(n) for p, s, n in psql_rows(
            self.db, "SELECT CASE priority WHEN 0 THEN 'high' WHEN 1 THEN 'normal' ELSE 'low' "
                     "END, state, count(*) FROM autoblog_core.jobs "
                     "WHERE state IN ('queued', 'running') GROUP BY 1, 2")}
        for p, counts in queue["depth"].items():
            for s, n in counts.items():
                self.assertEqual(n, expected.get((p, s), 0), f"depth {p}/{s}: {queue}")
        self.assertGreaterEqual(queue["depth"]["high"]["queued"], 3)
        self.assertIsInstance(queue["oldest_runnable_age_seconds"], (int, float))
        self.assertGreaterEqual(queue["oldest_runnable_age_seconds"], 0)
        self.assertEqual(queue["running_per_tenant"], [], "no worker runs here")

        self.assertError(self.req("GET", "/v1/admin/queue", token=token), 403, "forbidden")
        self.assertError(self.req("GET", "/v1/admin/queue"), 401, "unauthorized")

    def test_deleting_a_tenant_removes_its_jobs(self):
        tenant, token = self.server.new_tenant_with_token("starter")
        for item in self.create_items(token, 3):
            self.generate_ok(token, item)
        self.assertEqual(self.tenant_job_count(tenant["id"]), 3)
        status, _, body = self.admin("DELETE", f"/v1/admin/tenants/{tenant['id']}")
        self.assertEqual(status, 204, body)
        self.assertEqual(self.tenant_job_count(tenant["id"]), 0)
        for table in ("job_lanes", "job_concurrency"):
            self.assertEqual(psql(self.db, f"SELECT count(*) FROM autoblog_core.{table} "
                                           f"WHERE tenant_id = '{tenant['id']}'"), "0", table)
        self.assertError(self.req("GET", "/v1/jobs", token=token), 403, "forbidden")


class JobsWithWorkerTest(JobsServerCase):
    """Tests that start a worker: their own database, so no other test's queued job is run."""
    DB_NAME = "jobs_worker"

    def test_cancel_running_or_finished_job_is_a_conflict(self):
        tenant, token = self.server.new_tenant_with_token("starter")
        job = self.generate_ok(token, self.create_items(token, 1)[0])
        # a second process claims it and holds it for a while
        env = {"AUTOBLOG_AI_TEMPLATE_LATENCY_MS": "1500", "AUTOBLOG_JOB_POLL_MS": "100"}
        w = WorkerProcess(self.db, 1, env=env)
        self.addCleanup(w.cleanup)
        w.start()
        self.assertTrue(wait_until(lambda: self.get_job(token, job["id"])["state"] == "running",
                                   20, 0.05), w.log())
        self.assertError(self.req("DELETE", f"/v1/jobs/{job['id']}", token=token), 409,
                         "conflict", "cancel a running job")
        u = self.usage(token)
        self.assertEqual(u["concurrent_generations"], {"running": 1, "limit": 1}, u)
        done = self.wait_jobs_finished(token, [job["id"]], 20)[0]
        self.assertEqual(done["state"], "succeeded", done)
        self.assertEqual(done["attempts"], 1)
        self.assertIsInstance(done["result"], dict)
        self.assertError(self.req("DELETE", f"/v1/jobs/{job['id']}", token=token), 409,
                         "conflict", "cancel a finished job")
        self.assertEqual(self.usage(token)["content_today"]["used"], 1, "no refund")
        self.assertEqual(w.stop(), 0, w.log())

    def test_generation_end_to_end_and_metrics(self):
        """A second server on the same database with one in-process worker runs the job."""
        tenant, token = self.server.new_tenant_with_token("starter")
        item = self.create_items(token, 1)[0]
        with Server(self.db, workers=1, admin_token=self.server.admin_token,
                    jwt_secret=self.server.jwt_secret) as worker_node:
            job = self.generate_ok(token, item, server=worker_node)
            done = self.wait_jobs_finished(token, [job["id"]], 20, server=worker_node)[0]
            self.assertEqual(done["state"], "succeeded", done)
            self.assertEqual(done["attempts"], 1)
            self.assertIsNone(done["last_error"])
            self.assertEqual(done["result"].get("content_id"), item, done)
            self.assertLessEqual(parse_ts(done["started_at"]), parse_ts(done["finished_at"]))
            status, _, generated = worker_node.request("GET", f"/v1/content/{item}",
                                                       token=token)
            self.assertEqual(generated["status"], "generated", generated)
            self.assertIsInstance(generated["generated_content"], dict)

            status, _, text = worker_node.request("GET", "/metrics")
            self.assertEqual(status, 200)
            text = text.decode() if isinstance(text, bytes) else text
            finished = metric_value(text, "autoblog_jobs_finished_total",
                                    kind="generate_content", outcome="succeeded")
            self.assertEqual(finished, 1, "autoblog_jobs_finished_total")
            count = metric_value(text, "autoblog_content_generation_duration_seconds_count",
                                 tenant_id=tenant["id"], tier="starter")
            self.assertEqual(count, 1, "autoblog_content_generation_duration_seconds")
            # The template provider spends no tokens but makes one (placeholder) image.
            for resource, expected in (("images", 1), ("ai_tokens", 0)):
                self.assertEqual(metric_value(text, "autoblog_tenant_resource_usage",
                                              tenant_id=tenant["id"], resource_type=resource),
                                 expected, resource)
        # The worker stopped cleanly: its loops' cancellation is not reported as a problem.
        self.assertNotIn("background task problem", worker_node.logs(400))
        usage = self.usage(token)
        self.assertEqual(usage["content_today"]["used"], 1)
        self.assertEqual(usage["images_today"]["used"], 1)
        self.assertEqual(usage["ai_tokens_today"], {"used": 0, "limit": None,
                                                    "resets_at": usage["content_today"]["resets_at"]})


if __name__ == "__main__":
    unittest.main()
