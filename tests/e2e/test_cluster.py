"""E2E: two API nodes on one database (and one Redis) — docs/api.md ("takes effect on every API
node within 1 s") and §8 (stateless API nodes).

A change made through node 1's admin API (suspend, re-tier, delete) or through the CLI against
the same database is seen by node 2 within 1.0 s, although node 2 has the tenant cached (it
served the tenant just before).
"""
import time
import unittest

from harness import (E2ETestCase, assert_error, base_env, describe, drop_database,
                     fresh_database, redis_env, run_cli)

PROPAGATION = 1.0  # seconds
POLL = 0.05


class ClusterTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        url = cls.redis_url()
        cls.db = fresh_database("cluster")
        cls.addClassCleanup(drop_database, cls.db)
        cls.start_two_nodes(cls.db, redis_env(url))

    @classmethod
    def tearDownClass(cls):
        cls.stop_two_nodes()

    def warm(self, token):
        """Both nodes serve the tenant (so both have it resolved and cached)."""
        for srv in (self.server, self.server2):
            for _ in range(3):
                status, _, body = srv.request("GET", "/v1/tenant", token=token)
                self.assertEqual(status, 200, body)
        return body

    def wait_on_node2(self, predicate, what, t0, node=None):
        """Polls node 2 (or `node`) every 50 ms; returns the seconds from t0 (the moment the
        change was acknowledged) until predicate(response) held."""
        node = node or self.server2
        last = None
        while True:
            last = node.request("GET", "/v1/tenant", token=self.token)
            elapsed = time.monotonic() - t0
            if predicate(last):
                self.assertLessEqual(elapsed, PROPAGATION,
                                     f"{what}: node 2 took {elapsed:.3f}s (limit {PROPAGATION}s)")
                return elapsed
            if elapsed > PROPAGATION + 2:
                self.fail(f"{what}: node 2 still answers {last[0]} {last[2]!r} after "
                          f"{elapsed:.2f}s")
            time.sleep(POLL)

    def forbidden(self, resp):
        if resp[0] == 403:
            assert_error(resp[0], resp[2], 403, "forbidden")
            return True
        self.assertEqual(resp[0], 200, f"unexpected answer while waiting: {resp!r}")
        return False

    def new_tenant(self, tier="starter"):
        t, tok = self.server.new_tenant_with_token(tier)
        self.token = tok
        self.warm(tok)
        return t

    def test_suspend_on_node1_reaches_node2(self):
        t = self.new_tenant()
        status, _, body = self.server.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                            {"status": "suspended"})
        t0 = time.monotonic()
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "suspended")
        # node 1 itself refuses at once
        assert_error(*self._sb(self.server.request("GET", "/v1/tenant", token=self.token)),
                     403, "forbidden", "node 1 right after suspending")
        self.wait_on_node2(self.forbidden, "suspension", t0)
        # and re-activation comes back just as fast
        status, _, body = self.server.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                            {"status": "active"})
        t0 = time.monotonic()
        self.assertEqual(status, 200, body)
        self.wait_on_node2(lambda r: r[0] == 200, "re-activation", t0)

    def test_retier_on_node1_reaches_node2(self):
        t = self.new_tenant("starter")
        status, _, body = self.server2.request("GET", "/v1/tenant", token=self.token)
        self.assertEqual(body["limits"]["requests_per_hour"], 500)
        status, _, body = self.server.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                            {"subscription_tier": "enterprise"})
        t0 = time.monotonic()
        self.assertEqual(status, 200, body)
        self.assertEqual(body["subscription_tier"], "enterprise")

        def enterprise(resp):
            self.assertEqual(resp[0], 200, resp)
            return (resp[2]["subscription_tier"] == "enterprise"
                    and resp[2]["limits"]["requests_per_hour"] == 10000
                    and resp[1].get("x-ratelimit-limit") == "10000")

        self.wait_on_node2(enterprise, "re-tier starter→enterprise", t0)
        # a per-tenant override travels the same way
        status, _, body = self.server.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                            {"limits": {"requests_per_hour": 1234}})
        t0 = time.monotonic()
        self.assertEqual(status, 200, body)
        self.wait_on_node2(lambda r: r[0] == 200 and r[1].get("x-ratelimit-limit") == "1234"
                           and r[2]["limits"]["requests_per_hour"] == 1234, "limits override",
                           t0)

    def test_delete_on_node1_reaches_node2(self):
        t = self.new_tenant()
        status, _, body = self.server.admin("DELETE", f"/v1/admin/tenants/{t['id']}")
        t0 = time.monotonic()
        self.assertEqual(status, 204, body)
        self.wait_on_node2(self.forbidden, "deletion", t0)
        assert_error(*self._sb(self.server.request("GET", "/v1/tenant", token=self.token)),
                     403, "forbidden", "node 1 after deleting")

    def test_cli_suspend_reaches_running_nodes(self):
        t = self.new_tenant()
        env = base_env(AUTOBLOG_DATABASE_URL=self.db, AUTOBLOG_DATA_DIR=self.server.data_dir,
                       AUTOBLOG_JWT_SECRET=self.server.jwt_secret,
                       AUTOBLOG_ADMIN_TOKEN=self.server.admin_token)
        cp = run_cli(["tenant", "suspend", t["id"]], env=env)
        t0 = time.monotonic()
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.wait_on_node2(self.forbidden, "CLI suspension (node 2)", t0)
        self.wait_on_node2(self.forbidden, "CLI suspension (node 1)", t0, node=self.server)
        cp = run_cli(["tenant", "activate", t["id"]], env=env)
        t0 = time.monotonic()
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.wait_on_node2(lambda r: r[0] == 200, "CLI activation (node 2)", t0)
        self.wait_on_node2(lambda r: r[0] == 200, "CLI activation (node 1)", t0, node=self.server)

    @staticmethod
    def _sb(resp):
        return resp[0], resp[2]


if __name__ == "__main__":
    unittest.main()
