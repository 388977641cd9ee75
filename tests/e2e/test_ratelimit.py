"""E2E: per-tenant rate limits (docs/api.md).

GCRA with a burst of requests_per_hour: a starter tenant (500/h, emission interval T = 7.2 s) gets
exactly 500 requests through a quick burst, then 429 `rate_limited` with a Retry-After that is
the whole seconds until one request is allowed (≤ 8 right after the burst). Every tenant-API
response carries X-RateLimit-Limit/-Remaining/-Reset; health, metrics and admin routes do not.

The same cases run against the in-process limiter and against Redis; then two `serve` processes
share one Redis (one budget, not one per node), and Redis is stopped mid-test (the nodes fall back
to their in-process limiter without 5xx, count it in /metrics, and use Redis again after it
comes back on the same port).
"""
import collections
import time
import unittest

from harness import (E2ETestCase, assert_error, drop_database,
                     fresh_database, metric_value, parallel_requests, random_uuid,
                     redis_env, wait_until)

STARTER_LIMIT = 500
STARTER_T = 3600 / STARTER_LIMIT  # 7.2 s between cells
BURST_PATH = "/v1/tenant"
RL_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def _int_header(test, headers, name):
    test.assertIn(name, headers, f"missing {name} header: {headers!r}")
    value = headers[name]
    test.assertRegex(value, r"^\d+$", f"{name} is not a whole number: {value!r}")
    return int(value)


class RateLimitHelpers:
    """Mixed into an E2ETestCase whose setUpClass sets cls.server."""

    def burst(self, servers, token, n, threads=8):
        """Sends n requests as fast as possible; returns (responses, elapsed seconds)."""
        t0 = time.monotonic()
        results = parallel_requests(servers, n, "GET", BURST_PATH, token=token, threads=threads)
        return results, time.monotonic() - t0

    def check_burst(self, results, elapsed, limit=STARTER_LIMIT, allowed_total=None):
        """Exactly `limit` allowed (plus the cells that accrued while the burst ran), every
        other answer a well-formed 429; returns the number allowed."""
        statuses = collections.Counter(r[0] for r in results)
        self.assertEqual(set(statuses) - {200, 429}, set(),
                         f"only 200 and 429 expected, got {dict(statuses)}; e.g. "
                         f"{[r for r in results if r[0] not in (200, 429)][:3]!r}")
        ok = statuses[200]
        accrued = int(elapsed / (3600 / limit))
        self.assertGreaterEqual(ok, limit, f"fewer than {limit} requests allowed: {dict(statuses)}"
                                           f" in {elapsed:.2f}s")
        self.assertLessEqual(ok, limit + accrued,
                             f"more than {limit} requests allowed in a {elapsed:.2f}s burst "
                             f"(at most {accrued} cells accrued): {dict(statuses)}")
        for status, headers, body in results:
            self.assertEqual(_int_header(self, headers, "x-ratelimit-limit"), limit, headers)
            remaining = _int_header(self, headers, "x-ratelimit-remaining")
            _int_header(self, headers, "x-ratelimit-reset")
            if status == 429:
                assert_error(status, body, 429, "rate_limited")
                self.assertEqual(remaining, 0, headers)
                retry = _int_header(self, headers, "retry-after")
                self.assertGreaterEqual(retry, 1, headers)
                self.assertLessEqual(retry, 8, headers)
            else:
                self.assertLess(remaining, limit)
        if accrued == 0:
            remaining = sorted(int(h["x-ratelimit-remaining"]) for s, h, _ in results if s == 200)
            self.assertEqual(remaining, list(range(limit)),
                             "X-RateLimit-Remaining should count down 499..0 over the burst")
        return ok

    def assert_limited_now(self, server, token, max_retry=8):
        status, headers, body = server.request("GET", BURST_PATH, token=token)
        assert_error(status, body, 429, "rate_limited", "request right after the burst")
        self.assertEqual(headers.get("x-ratelimit-remaining"), "0", headers)
        retry = _int_header(self, headers, "retry-after")
        self.assertGreaterEqual(retry, 1)
        self.assertLessEqual(retry, max_retry)
        self.assertGreaterEqual(_int_header(self, headers, "x-ratelimit-reset"), retry)
        return retry



class RateLimitCases(RateLimitHelpers):
    """The single-node cases, run once per limiter backend."""

    def test_starter_burst_is_exactly_500_then_429(self):
        srv = self.server
        _, tok = srv.new_tenant_with_token("starter")
        _, etok = srv.new_tenant_with_token("enterprise")
        results, elapsed = self.burst([srv], tok, STARTER_LIMIT + 30)
        self.check_burst(results, elapsed)
        self.assert_limited_now(srv, tok)
        # an enterprise tenant in the same process is unaffected
        status, headers, body = srv.request("GET", BURST_PATH, token=etok)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers.get("x-ratelimit-limit"), "10000", headers)
        self.assertEqual(headers.get("x-ratelimit-remaining"), "9999", headers)
        # so is a second starter tenant (the budget is per tenant, not per tier or process)
        _, tok2 = srv.new_tenant_with_token("starter")
        status, headers, body = srv.request("GET", BURST_PATH, token=tok2)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers.get("x-ratelimit-remaining"), "499", headers)

    def test_headers_on_errors_and_not_on_health_metrics_admin(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token("starter")
        cases = [("GET", f"/v1/content/{random_uuid()}", None, 404),
                 ("GET", "/v1/content/not-a-uuid", None, 400),
                 ("POST", "/v1/content", {"inspiration_data": "not an object"}, 400),
                 ("GET", f"/v1/files/missing-{random_uuid()}", None, 404)]
        seen_remaining = []
        for method, path, body, expected in cases:
            status, headers, resp = srv.request(method, path, body, token=tok)
            self.assertEqual(status, expected, f"{method} {path}: {resp!r}")
            for h in RL_HEADERS:
                self.assertIn(h, headers, f"{method} {path} ({status}) lacks {h}: {headers!r}")
            self.assertEqual(headers["x-ratelimit-limit"], "500")
            seen_remaining.append(int(headers["x-ratelimit-remaining"]))
        self.assertEqual(seen_remaining, [499, 498, 497, 496],
                         "error responses must be counted like any other request")
        for method, path, token in (("GET", "/health", None), ("GET", "/health/ready", None),
                                    ("GET", "/metrics", None),
                                    ("GET", f"/v1/admin/tenants/{t['id']}", srv.admin_token)):
            status, headers, _ = srv.request(method, path, token=token)
            self.assertEqual(status, 200, path)
            for h in RL_HEADERS + ("retry-after",):
                self.assertNotIn(h, headers, f"{path} must not be rate limited: {headers!r}")

    def test_health_and_admin_are_never_limited(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token("starter")
        status, _, _ = srv.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                 {"limits": {"requests_per_hour": 2}})
        self.assertEqual(status, 200)
        statuses = [srv.request("GET", BURST_PATH, token=tok)[0] for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 429])
        # the tenant is throttled now; health (its own tenant health too), metrics and the
        # admin API still answer
        for _ in range(3):
            status, headers, body = srv.request("GET", f"/health/tenant/{t['id']}", token=tok)
            self.assertEqual(status, 200, f"GET /health/tenant/{{id}} of a throttled tenant: "
                                          f"{headers} {body!r}")
            self.assertEqual(srv.request("GET", "/health")[0], 200)
            self.assertEqual(srv.request("GET", "/metrics")[0], 200)
            self.assertEqual(srv.admin("GET", f"/v1/admin/tenants/{t['id']}")[0], 200)

    def test_lowered_limit_applies_at_once_with_a_computed_retry_after(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token("starter")
        status, _, body = srv.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                    {"limits": {"requests_per_hour": 5}})
        self.assertEqual(status, 200, body)
        statuses = [srv.request("GET", BURST_PATH, token=tok) for _ in range(6)]
        self.assertEqual([s for s, _, _ in statuses], [200] * 5 + [429])
        self.assertEqual(statuses[0][1].get("x-ratelimit-limit"), "5")
        self.assertEqual([s[1].get("x-ratelimit-remaining") for s in statuses[:5]],
                         ["4", "3", "2", "1", "0"])
        # T = 720 s: one request is allowed again 720 s after the first one, not after 3600 s
        retry = _int_header(self, statuses[5][1], "retry-after")
        self.assertGreaterEqual(retry, 700, statuses[5][1])
        self.assertLessEqual(retry, 720, statuses[5][1])

    def test_raised_limit_applies_at_once(self):
        """An operator raising a throttled starter tenant to 2000/h: the tenant has spent 500
        of a 2000 budget, so it is unblocked at once and has most of the new burst left."""
        srv = self.server
        t, tok = srv.new_tenant_with_token("starter")
        results, elapsed = self.burst([srv], tok, STARTER_LIMIT + 5)
        self.check_burst(results, elapsed)
        self.assert_limited_now(srv, tok)
        status, _, body = srv.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                    {"limits": {"requests_per_hour": 2000}})
        self.assertEqual(status, 200, body)
        status, headers, body = srv.request("GET", BURST_PATH, token=tok)
        self.assertEqual(status, 200, f"first request after raising the limit: {headers} {body!r}")
        self.assertEqual(headers.get("x-ratelimit-limit"), "2000")
        self.assertEqual(body["limits"]["requests_per_hour"], 2000)
        more = parallel_requests([srv], 100, "GET", BURST_PATH, token=tok)
        statuses = collections.Counter(r[0] for r in more)
        self.assertEqual(dict(statuses), {200: 100},
                         "500 of 2000 spent: the next 100 requests must all pass")
        remaining = min(int(h["x-ratelimit-remaining"]) for _, h, _ in more)
        self.assertGreaterEqual(remaining, 2000 - 500 - 101 - 5, "remaining after the raise")


class InProcessLimiterTest(RateLimitCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("rl_local")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()


class RedisLimiterTest(RateLimitCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        url = cls.redis_url()
        cls.db = fresh_database("rl_redis")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env=redis_env(url))

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()


class TwoNodesTest(RateLimitHelpers, E2ETestCase):
    """Two `serve` processes, one database, one Redis (their own, so that it can be stopped)."""

    @classmethod
    def setUpClass(cls):
        cls.redis = cls.own_redis()
        cls.db = fresh_database("rl_nodes")
        cls.addClassCleanup(drop_database, cls.db)
        cls.start_two_nodes(cls.db, redis_env(cls.redis.url))

    @classmethod
    def tearDownClass(cls):
        cls.stop_two_nodes()

    def setUp(self):
        if not self.redis.alive():
            self.redis.start()
        self.wait_for_redis_decisions()

    def fallbacks(self, srv):
        status, _, text = srv.request("GET", "/metrics")
        self.assertEqual(status, 200)
        text = text.decode() if isinstance(text, bytes) else str(text)
        return metric_value(text, "autoblog_rate_limit_fallbacks_total") or 0.0

    def wait_for_redis_decisions(self, timeout=15.0):
        """Until one request on each node is decided without a fallback (i.e. by Redis)."""
        _, probe = self.server.new_tenant_with_token("enterprise")

        def both_on_redis():
            for srv in (self.server, self.server2):
                before = self.fallbacks(srv)
                status, _, _ = srv.request("GET", BURST_PATH, token=probe)
                if status != 200 or self.fallbacks(srv) != before:
                    return False
            return True

        self.assertTrue(wait_until(both_on_redis, timeout, 0.2),
                        f"the nodes did not use Redis again within {timeout}s")

    def test_one_budget_across_nodes(self):
        _, tok = self.server.new_tenant_with_token("starter")
        results, elapsed = self.burst([self.server, self.server2], tok, STARTER_LIMIT + 40)
        self.check_burst(results, elapsed)
        self.assert_limited_now(self.server, tok)
        self.assert_limited_now(self.server2, tok)

    def test_redis_outage_falls_back_then_recovers(self):
        srv1, srv2 = self.server, self.server2
        _, tok = srv1.new_tenant_with_token("growth")
        for srv in (srv1, srv2):
            self.assertEqual(srv.request("GET", BURST_PATH, token=tok)[0], 200)
        before = [self.fallbacks(srv1), self.fallbacks(srv2)]

        self.redis.stop()
        t0 = time.monotonic()
        results = parallel_requests([srv1, srv2], 60, "GET", BURST_PATH, token=tok, threads=4)
        elapsed = time.monotonic() - t0
        statuses = collections.Counter(r[0] for r in results)
        self.assertEqual(dict(statuses), {200: 60},
                         f"with Redis down every request must still be answered (no 5xx): "
                         f"{[r for r in results if r[0] != 200][:3]!r}")
        self.assertLess(elapsed, 20, "requests with Redis down took too long")
        for _, headers, _ in results:
            self.assertEqual(headers.get("x-ratelimit-limit"), "2000", headers)
        after = [self.fallbacks(srv1), self.fallbacks(srv2)]
        self.assertGreater(after[0], before[0], "autoblog_rate_limit_fallbacks_total on node 1")
        self.assertGreater(after[1], before[1], "autoblog_rate_limit_fallbacks_total on node 2")
        # the in-process fallback still limits: a tenant limited to 3/h gets 3 per node at most
        t_small, tok_small = srv1.new_tenant_with_token("starter")
        status, _, _ = srv1.admin("PATCH", f"/v1/admin/tenants/{t_small['id']}",
                                  {"limits": {"requests_per_hour": 3}})
        self.assertEqual(status, 200)
        statuses = [srv1.request("GET", BURST_PATH, token=tok_small)[0] for _ in range(5)]
        self.assertEqual(statuses, [200, 200, 200, 429, 429])

        # Redis back on the same port: decisions come from Redis again
        self.redis.start()
        self.wait_for_redis_decisions()
        _, fresh = srv1.new_tenant_with_token("starter")
        results, elapsed = self.burst([srv1, srv2], fresh, STARTER_LIMIT + 40)
        self.check_burst(results, elapsed)
        keys = self.redis.cmd("SCAN", "0", "COUNT", "10000")
        self.assertTrue(keys[1], "no rate limit state in Redis after it came back")


if __name__ == "__main__":
    unittest.main()
