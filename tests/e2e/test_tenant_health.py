"""E2E: GET /health/tenant/{id} (docs/api.md; the original design let any tenant probe any other) and GET /health/ready.

The caller's own tenant only (another tenant's id is a 404, a non-UUID a 400); the seed's shape
{"tenant_id", "status": healthy|degraded, "checks": {database, cache, storage, ai_quota},
"timestamp"}. With the server's own Redis or s3rver stopped (or answering nothing at all), the
matching check turns false within a deadline, /health/ready turns 503 with "fail" for that
dependency and no detail (no host, port or error text), and both recover after a restart.
"""
import json
import socket
import threading
import time
import unittest

from harness import (E2ETestCase, RedisServer, S3rver, assert_error, drop_database,
                     fresh_database, now_utc, parse_ts, random_uuid, redis_env,
                     redis_server_bin, s3_env, s3rver_bin, wait_until)

CHECKS = {"database", "cache", "storage", "ai_quota"}
DEADLINE = 5.0  # seconds a health answer may take with a dependency down


class Blackhole:
    """Listens on a port, accepts connections and never answers (a hung dependency)."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.accepted = []
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
                self.accepted.append(conn)
            except OSError:
                continue

    def close(self):
        if self.stopped:
            return
        self.stopped = True
        self.thread.join(timeout=5)
        for c in self.accepted:
            c.close()
        self.sock.close()


class HealthCases:
    def timed(self, path, token=None):
        limit = DEADLINE + 5
        t0 = time.monotonic()
        try:
            status, _, body = self.server.request("GET", path, token=token, timeout=limit)
        except (TimeoutError, socket.timeout):
            self.fail(f"GET {path}: no answer within {limit}s")
        return status, body, time.monotonic() - t0

    def tenant_health(self, tenant_id, token):
        return self.timed(f"/health/tenant/{tenant_id}", token)

    def ready(self):
        return self.timed("/health/ready")

    def assert_health_shape(self, body, tenant_id):
        self.assertIsInstance(body, dict, body)
        self.assertEqual(set(body), {"tenant_id", "status", "checks", "timestamp"}, body)
        self.assertEqual(body["tenant_id"], tenant_id)
        self.assertIn(body["status"], ("healthy", "degraded"))
        self.assertEqual(set(body["checks"]), CHECKS, body)
        for k, v in body["checks"].items():
            self.assertIsInstance(v, bool, f"checks.{k} must be a boolean: {body!r}")
        self.assertEqual(body["status"] == "healthy", all(body["checks"].values()), body)
        ts = parse_ts(body["timestamp"])
        self.assertLess(abs((now_utc() - ts).total_seconds()), 60, body)

    def assert_ready_body(self, status, body, expected):
        """expected: {"database": "ok"|"fail", ...}; the body says nothing else."""
        self.assertIsInstance(body, dict, body)
        self.assertEqual(set(body), {"status", "checks"}, body)
        self.assertEqual(body["checks"], expected, body)
        ok = all(v == "ok" for v in expected.values())
        self.assertEqual(status, 200 if ok else 503, body)
        self.assertIsInstance(body["status"], str)
        text = json.dumps(body)
        for leak in ("127.0.0.1", "localhost", "redis://", "http://", str(self.dep_port()),
                     "refused", "timeout", "timed out", "error", "/tmp"):
            self.assertNotIn(leak, text, f"/health/ready leaks details: {text}")

    def dep_port(self):
        return "no-port"


class DefaultBackendsHealthTest(HealthCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("health")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        cls.a, cls.ta = cls.server.new_tenant_with_token("starter")
        cls.b, cls.tb = cls.server.new_tenant_with_token("starter")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def test_healthy_shape(self):
        for t, tok in ((self.a, self.ta), (self.b, self.tb)):
            status, body, elapsed = self.tenant_health(t["id"], tok)
            self.assertEqual(status, 200, body)
            self.assert_health_shape(body, t["id"])
            self.assertEqual(body["status"], "healthy", body)
            self.assertLess(elapsed, DEADLINE)
        status, body, _ = self.ready()
        self.assert_ready_body(status, body,
                               {"database": "ok", "cache": "ok", "storage": "ok"})
        self.assertEqual(body["status"], "ok")

    def test_other_tenants_id_is_404_and_bad_ids_400(self):
        for other in (self.b["id"], random_uuid(), self.b["id"].upper()):
            with self.subTest(id=other):
                status, body, _ = self.tenant_health(other, self.ta)
                if other == self.b["id"].upper() and status == 400:
                    continue  # an upper-case UUID may be refused as malformed; never B's health
                assert_error(status, body, 404, "not_found", f"A asking for {other}")
        for bad in ("not-a-uuid", "123", self.a["id"][:-1], self.a["id"] + "0",
                    f"{self.a['id']}%00", "%2e%2e"):
            with self.subTest(id=bad):
                status, body, _ = self.tenant_health(bad, self.ta)
                assert_error(status, body, 400, "invalid_request", f"id {bad!r}")
        status, _, body = self.req("GET", f"/health/tenant/{self.a['id']}")
        assert_error(status, body, 401, "unauthorized", "no token")
        status, _, body = self.req("GET", f"/health/tenant/{self.a['id']}",
                                   token=self.server.admin_token)
        self.assertIn(status, (401, 403), body)

    def test_health_does_not_leave_probe_objects(self):
        status, body, _ = self.tenant_health(self.a["id"], self.ta)
        self.assertEqual(status, 200, body)
        status, _, listing = self.req("GET", "/v1/files", token=self.ta)
        self.assertEqual(status, 200, listing)
        self.assertEqual(listing["items"], [], "the storage probe left objects behind")


class OutageCases(HealthCases):
    """cls.dep is the server's own dependency (RedisServer or S3rver); check_degraded()
    asserts the answers while it is down."""

    @classmethod
    def start_with_dependency(cls, dep, db_name, env):
        """The server under test, configured with its own `dep` (started here)."""
        cls.dep = dep
        cls.addClassCleanup(dep.cleanup)
        dep.start()
        cls.db = fresh_database(db_name)
        cls.addClassCleanup(drop_database, cls.db)
        # These cases assert what a check sees the moment a dependency fails, so the per-tenant
        # result cache (5 s by default, tested in test_operator_controls.py) is off here.
        cls.server = cls.start_server(cls.db,
                                      env={**env(dep), "AUTOBLOG_TENANT_HEALTH_CACHE_MS": "0"})
        cls.a, cls.ta = cls.server.new_tenant_with_token("growth")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def dep_port(self):
        return self.dep.port

    def setUp(self):
        if not self.dep.alive():
            self.dep.start()
        self.wait_healthy()

    def wait_healthy(self, timeout=10.0):
        def healthy():
            s, b, _ = self.ready()
            if s != 200:
                return False
            s, b, _ = self.tenant_health(self.a["id"], self.ta)
            return s == 200 and b["status"] == "healthy"
        self.assertTrue(wait_until(healthy, timeout, 0.2),
                        f"not healthy within {timeout}s: {self.ready()} "
                        f"{self.tenant_health(self.a['id'], self.ta)}")

    def check_degraded(self, failing):
        expected = {"database": True, "cache": True, "storage": True, "ai_quota": True,
                    failing: False}
        status, body, elapsed = self.tenant_health(self.a["id"], self.ta)
        self.assertEqual(status, 200, body)
        self.assert_health_shape(body, self.a["id"])
        self.assertEqual(body["status"], "degraded", body)
        self.assertEqual(body["checks"], expected, body)
        self.assertLess(elapsed, DEADLINE, f"tenant health took {elapsed:.2f}s")
        status, body, elapsed = self.ready()
        self.assert_ready_body(status, body, {k: "ok" if expected[k] else "fail"
                                              for k in ("database", "cache", "storage")})
        self.assertLess(elapsed, DEADLINE, f"/health/ready took {elapsed:.2f}s")

    def hang_dependency(self):
        """Stops the dependency and listens on its port without ever answering."""
        self.dep.stop()
        hole = Blackhole(self.dep.port)
        self.addCleanup(hole.close)
        return hole


class RedisOutageHealthTest(OutageCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        if redis_server_bin() is None:
            raise unittest.SkipTest("redis-server is not on PATH")
        cls.start_with_dependency(RedisServer(), "health_redis", lambda d: redis_env(d.url))

    def test_redis_stopped_then_restarted(self):
        self.dep.stop()
        self.check_degraded("cache")
        self.dep.start()
        self.wait_healthy()

    def test_redis_hanging(self):
        hole = self.hang_dependency()
        self.check_degraded("cache")
        hole.close()
        self.dep.start()
        self.wait_healthy()


class S3OutageHealthTest(OutageCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        if s3rver_bin() is None:
            raise unittest.SkipTest("node_modules/.bin/s3rver is missing (npm package pinned "
                                    "in package.json)")
        cls.start_with_dependency(S3rver(), "health_s3", lambda d: s3_env(d.endpoint))

    def test_s3_stopped_then_restarted(self):
        self.dep.stop()
        self.check_degraded("storage")
        # the file API reports the outage as 503, not 500, and recovers
        status, _, body = self.req("PUT", "/v1/files/x.txt", b"x", token=self.ta,
                                   headers={"Content-Type": "text/plain"})
        assert_error(status, body, 503, "unavailable", "PUT with S3 down")
        self.dep.start()
        self.wait_healthy()
        status, _, body = self.req("PUT", "/v1/files/x.txt", b"x", token=self.ta,
                                   headers={"Content-Type": "text/plain"})
        self.assertEqual(status, 201, body)

    def test_s3_hanging(self):
        hole = self.hang_dependency()
        self.check_degraded("storage")
        hole.close()
        self.dep.start()
        self.wait_healthy()


if __name__ == "__main__":
    unittest.main()
