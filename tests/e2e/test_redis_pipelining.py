"""E2E: the Redis client pipelines many commands per connection; replies never cross.

Each GET /v1/brand is one decision of the rate-limit script (EVALSHA) on the shared Redis
connections of the node, which also reads the brand's cache entry for the handler; the decisions
of requests that arrive together share one script call. Many tenants, each with its own brand
and its own limit, are read concurrently from many keep-alive connections, and every answer is
checked against its own tenant: a reply handed to the wrong request would show up as another
tenant's brand or as a rate-limit count from another tenant's budget. Then Redis is killed mid-load (SIGKILL, with
commands in flight) and restarted: requests keep being answered (in-process limiter, cache miss
read from PostgreSQL), still each with its own tenant's data, and the node uses Redis again.
"""
import socket
import threading
import time
import uuid
import unittest

from harness import (E2ETestCase, drop_database, fresh_database, metric_value,
                     redis_env, wait_until)

TENANTS = 10
THREADS = 12
MILLION = 1_000_000


class RedisPipeliningTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = cls.own_redis()
        cls.db = fresh_database("redis_pipe")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env=redis_env(cls.redis.url))
        # Tenant i: limit (i+1) million per hour, so X-RateLimit-Remaining // 1e6 == i names the
        # budget a decision came from; a brand whose topics name the tenant.
        cls.tenants = []
        for i in range(TENANTS):
            t, tok = cls.server.new_tenant_with_token("enterprise")
            status, _, body = cls.server.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                               {"limits": {"requests_per_hour": (i + 1) * MILLION}})
            assert status == 200, body
            brand = {"voice_tone": {"style": f"tenant-{i}"}, "topics": [t["id"], f"topic-{i}"]}
            status, _, body = cls.server.request("PUT", "/v1/brand", brand, token=tok)
            assert status in (200, 201), body
            cls.tenants.append((i, t["id"], tok))

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def redis_commands_sent(self):
        status, _, text = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        text = text.decode() if isinstance(text, bytes) else str(text)
        return metric_value(text, "autoblog_redis_commands_total")

    def fallbacks(self):
        status, _, text = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        text = text.decode() if isinstance(text, bytes) else str(text)
        return metric_value(text, "autoblog_rate_limit_fallbacks_total") or 0.0

    def load(self, seconds=None, requests_per_thread=None, during=None):
        """THREADS threads, each on its own keep-alive connection, GET /v1/brand round-robin over
        the tenants. Returns [(tenant index, status, headers, body)]. `during` runs in the
        calling thread while the load is on."""
        results, lock = [], threading.Lock()
        stop = threading.Event()

        def worker(k):
            client = self.server.client()
            n = 0
            try:
                while not stop.is_set():
                    if requests_per_thread is not None and n >= requests_per_thread:
                        return
                    i, _, tok = self.tenants[(k + n) % TENANTS]
                    n += 1
                    try:
                        status, headers, body = client.request("GET", "/v1/brand", token=tok)
                    except Exception as e:  # recorded, asserted by the caller
                        status, headers, body = -1, {}, repr(e)
                    with lock:
                        results.append((i, status, headers, body))
            finally:
                client._close_conn()

        threads = [threading.Thread(target=worker, args=(k,), daemon=True)
                   for k in range(THREADS)]
        for t in threads:
            t.start()
        if during is not None:
            during()
        if seconds is not None:
            time.sleep(seconds)
            stop.set()
        for t in threads:
            t.join(timeout=120)
        return results

    def check_own(self, results, allowed_statuses=(200,)):
        """Every answer belongs to its own tenant; returns the count per status."""
        counts = {}
        for i, status, headers, body in results:
            counts[status] = counts.get(status, 0) + 1
            self.assertIn(status, allowed_statuses, f"tenant {i}: {status} {body!r}")
            if status != 200:
                continue
            _, tenant_id, _ = self.tenants[i]
            self.assertEqual(body.get("topics"), [tenant_id, f"topic-{i}"],
                             f"tenant {i} got another tenant's brand: {body!r}")
            self.assertEqual(headers.get("x-ratelimit-limit"), str((i + 1) * MILLION), headers)
            remaining = int(headers["x-ratelimit-remaining"])
            self.assertEqual(remaining // MILLION, i,
                             f"tenant {i} got a decision from another budget: {headers}")
        return counts

    def test_concurrent_requests_get_their_own_replies(self):
        before = self.fallbacks()
        results = self.load(requests_per_thread=100)
        self.assertEqual(len(results), THREADS * 100)
        self.check_own(results)
        self.assertEqual(self.fallbacks(), before, "no decision may fall back with Redis up")
        for _, tenant_id, _ in self.tenants:
            self.assertIsNotNone(self.redis.cmd("GET", f"t:{tenant_id}:brand"),
                                 "the brand is cached in Redis")

    def test_brand_read_is_one_redis_command(self):
        """The decision and the brand's cache lookup share one script call: MONITOR sees one
        EVALSHA from the node per GET /v1/brand, and the GET of the cache entry inside it.
        A brand replaced with PUT is what the next GET answers (the cache entry is dropped, the
        prefetched miss reads PostgreSQL and fills it again)."""
        t, tok = self.server.new_tenant_with_token("enterprise")
        tid = t["id"]
        brand = {"voice_tone": {"style": "first"}, "topics": ["one"]}
        status, _, body = self.server.request("PUT", "/v1/brand", brand, token=tok)
        self.assertIn(status, (200, 201), body)
        status, _, body = self.server.request("GET", "/v1/brand", token=tok)  # fills the cache
        self.assertEqual((status, body.get("topics")), (200, ["one"]))

        marker = f"end-of-test-{uuid.uuid4()}"
        sent_before = self.redis_commands_sent()
        with socket.create_connection(("127.0.0.1", self.redis.port), timeout=10) as mon:
            mon.sendall(b"MONITOR\r\n")
            f = mon.makefile("rb")
            self.assertEqual(f.readline(), b"+OK\r\n")
            for _ in range(5):
                status, headers, body = self.server.request("GET", "/v1/brand", token=tok)
                self.assertEqual((status, body.get("topics")), (200, ["one"]))
                self.assertIn("x-ratelimit-remaining", headers)
            sent = self.redis_commands_sent() - sent_before
            self.redis.cmd("ECHO", marker)
            lines = []
            while True:
                line = f.readline()
                self.assertTrue(line, "MONITOR ended early")
                if marker.encode() in line:
                    break
                lines.append(line)
        ours = [l for l in lines if tid.encode() in l]
        from_node = [l for l in ours if b"[0 lua]" not in l]
        in_script = [l for l in ours if b"[0 lua]" in l]
        self.assertEqual(len(from_node), 5, lines)
        for line in from_node:
            self.assertIn(b'"EVALSHA"', line)
            self.assertIn(f'"rl:{tid}" "t:{tid}:brand"'.encode(), line)
        self.assertEqual(sum(f'"GET" "t:{tid}:brand"'.encode() in l for l in in_script), 5,
                         in_script)
        self.assertEqual(sent, 5, "autoblog_redis_commands_total counts one per GET /v1/brand")

        brand = {"voice_tone": {"style": "second"}, "topics": ["two"]}
        status, _, body = self.server.request("PUT", "/v1/brand", brand, token=tok)
        self.assertEqual(status, 200, body)
        for _ in range(2):  # a prefetched miss read from PostgreSQL, then a prefetched hit
            status, _, body = self.server.request("GET", "/v1/brand", token=tok)
            self.assertEqual((status, body.get("topics")), (200, ["two"]))
        self.assertIn(b'"two"', self.redis.cmd("GET", f"t:{tid}:brand"))

    def test_redis_killed_mid_load_then_back(self):
        before = self.fallbacks()

        def outage():
            time.sleep(1.0)
            self.redis._kill()  # SIGKILL: commands in flight get no reply, the sockets close
            time.sleep(1.0)
            self.redis.start()  # same port, empty

        results = self.load(seconds=1.5, during=outage)
        counts = self.check_own(results, allowed_statuses=(200, 503))
        self.assertGreater(counts.get(200, 0), len(results) * 0.9,
                           f"with Redis down, requests fall back instead of failing: {counts}")
        self.assertGreater(self.fallbacks(), before, "the outage was seen mid-load")

        # Redis is back: the node decides through it again, and answers still match.
        _, _, probe_tok = self.tenants[0]

        def on_redis():
            f = self.fallbacks()
            status, _, _ = self.server.request("GET", "/v1/brand", token=probe_tok)
            return status == 200 and self.fallbacks() == f

        self.assertTrue(wait_until(on_redis, 15.0, 0.2), "the node did not use Redis again")
        after = self.fallbacks()
        results = self.load(requests_per_thread=30)
        self.check_own(results)
        self.assertEqual(self.fallbacks(), after)
        for _, tenant_id, _ in self.tenants:
            self.assertIsNotNone(self.redis.cmd("GET", f"t:{tenant_id}:brand"),
                                 "the restarted Redis caches the brand again")


if __name__ == "__main__":
    unittest.main()
