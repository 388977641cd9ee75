"""E2E: deadlines and cancellation reach the database, and a hung backend costs one request its
deadline, never a pool slot for good.

- A statement blocked on a row lock is ended by its statement timeout: 503, nothing changed.
- PostgreSQL backends frozen with SIGSTOP: the request is abandoned at its client-side deadline
  (503), the connections are replaced, and after SIGCONT every request succeeds again.
- A client that disconnects while its query waits cancels the query (pg_stat_activity shows it
  gone long before any timeout).
- SIGTERM while a request is blocked: it gets a clean 503 within the drain deadline, its
  transaction rolls back, the process exits 0.
- Redis frozen with SIGSTOP: requests fall back within the command timeout and Redis is used
  again after SIGCONT.
"""
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import (E2ETestCase, RedisServer, Server, base_env, drop_database, fresh_database,
                     psql_rows, redis_env, redis_server_bin, wait_until)


class RowLock:
    """Holds `SELECT ... FOR UPDATE` on one content row in an open psql transaction."""

    def __init__(self, url: str, schema: str, content_id: str):
        self.proc = subprocess.Popen(
            ["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=base_env())
        self._send(f"BEGIN; SELECT 1 FROM \"{schema}\".content_pipelines "
                   f"WHERE id = '{content_id}' FOR UPDATE;\n\\echo locked\n")
        got = [self.proc.stdout.readline().strip() for _ in range(2)]
        if got != ["1", "locked"]:
            raise AssertionError(f"could not take the row lock: {got!r} {self.proc.stderr.read()}")

    def _send(self, text: str) -> None:
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def release(self) -> None:
        if self.proc.poll() is None:
            self._send("ROLLBACK;\n\\q\n")
            self.proc.wait(timeout=10)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()


def autoblog_backends(url: str, dbname: str, state_filter: str = "") -> list[list[str]]:
    return psql_rows(url, "SELECT pid, state, coalesce(wait_event_type, '') "
                          "FROM pg_stat_activity WHERE application_name = 'autoblog' "
                          f"AND datname = '{dbname}' {state_filter}")


class DeadlineCase(E2ETestCase):
    STATEMENT_TIMEOUT_MS = 800

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("deadlines")
        cls.addClassCleanup(drop_database, cls.db)
        cls.dbname = psql_rows(cls.db, "SELECT current_database()")[0][0]
        cls.server = cls.start_server(cls.db, env={
            "AUTOBLOG_DB_STATEMENT_TIMEOUT_MS": str(cls.STATEMENT_TIMEOUT_MS),
            "AUTOBLOG_DB_POOL_SIZE": "2", "AUTOBLOG_IO_THREADS": "2"})
        cls.tenant, cls.token = cls.server.new_tenant_with_token(tier="enterprise")

    def new_item(self, server=None) -> str:
        s = server or self.server
        status, _, body = s.request("POST", "/v1/content", {"inspiration_data": {"t": 1}},
                                    token=self.token)
        self.assertEqual(status, 201, body)
        return body["id"]

    def lock(self, item: str) -> RowLock:
        lock = RowLock(self.db, self.tenant["schema_name"], item)
        self.addCleanup(lock.release)
        return lock

    def test_statement_blocked_on_a_lock_ends_at_its_timeout(self):
        item = self.new_item()
        lock = self.lock(item)
        t0 = time.monotonic()
        status, _, body = self.req("PATCH", f"/v1/content/{item}", {"status": "archived"},
                                   token=self.token)
        took = time.monotonic() - t0
        self.assertError((status, None, body), 503, "unavailable")
        self.assertGreaterEqual(took, self.STATEMENT_TIMEOUT_MS / 1000 - 0.05)
        self.assertLess(took, self.STATEMENT_TIMEOUT_MS / 1000 + 3)
        lock.release()
        _, _, got = self.req("GET", f"/v1/content/{item}", token=self.token)
        self.assertEqual(got["status"], "inspiration", "a timed-out PATCH changed the item")
        status, _, got = self.req("PATCH", f"/v1/content/{item}", {"status": "archived"},
                                  token=self.token)
        self.assertEqual((status, got["status"]), (200, "archived"))

    def test_frozen_backends_cost_a_deadline_not_the_pool(self):
        item = self.new_item()
        # The connections exist and are idle (the content reads' are the I/O threads' shared
        # read connections): freeze their server processes.
        c2 = self.server.client()
        for s in (self.server, c2):
            self.assertEqual(s.request("GET", f"/v1/content/{item}", token=self.token)[0], 200)
        # (The tenant change listener's connection is left alone: it has no statement deadline.)
        pids = [int(r[0]) for r in autoblog_backends(
            self.db, self.dbname, "AND state = 'idle' AND query NOT LIKE 'LISTEN%'")]
        self.assertTrue(pids, "no idle autoblog backends to freeze")
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            status, _, body = self.req("GET", f"/v1/content/{item}", token=self.token,
                                       timeout=30)
            took = time.monotonic() - t0
            self.assertError((status, None, body), 503, "unavailable")
            # statement timeout + the client's grace period, with slack for a busy machine
            self.assertLess(took, self.STATEMENT_TIMEOUT_MS / 1000 + 1 + 3)
            # The abandoned connection is replaced: requests succeed while the old backends
            # are still frozen (at most one frozen idle connection may be tried per request).
            ok = wait_until(lambda: self.req("GET", f"/v1/content/{item}", token=self.token,
                                             timeout=30)[0] == 200, timeout=30, interval=0)
            self.assertTrue(ok, "pool did not recover while the old backends were frozen")
        finally:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
        results = []

        def hit(client):
            results.append(client.request("GET", f"/v1/content/{item}", token=self.token)[0])

        threads = [threading.Thread(target=hit, args=(self.server.client(),)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, [200] * 8)
        # A frozen backend whose connection was abandoned got the cancel and saw its client
        # gone: it ends. (The pool is split between the event loops: a frozen connection in the
        # partition of a loop the failing requests did not run on was never abandoned, and
        # serves again once it is thawed.) Nothing leaks: the server holds no more connections
        # than its pool's size plus one shared read connection per I/O thread.
        def connected():
            return [int(r[0]) for r in autoblog_backends(
                self.db, self.dbname, "AND query NOT LIKE 'LISTEN%'")]
        def settled():
            now = connected()
            return [p for p in pids if p not in now] and len(now) <= 2 + 2
        self.assertTrue(wait_until(settled, timeout=10),
                        f"the abandoned backend is still connected, or more connections than "
                        f"the pool's size and the shared read connections: frozen {pids}, "
                        f"connected {connected()}")


class DisconnectAndShutdownCase(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("disconnect")
        cls.addClassCleanup(drop_database, cls.db)
        cls.dbname = psql_rows(cls.db, "SELECT current_database()")[0][0]

    def start(self, **env):
        # A statement timeout far beyond the test, so only a cancellation can end the query.
        e = {"AUTOBLOG_DB_STATEMENT_TIMEOUT_MS": "60000", **env}
        self.server = Server(self.db, env=e)
        self.addCleanup(self.server.cleanup)
        self.server.start()
        tenant, token = self.server.new_tenant_with_token(tier="enterprise")
        status, _, body = self.server.request("POST", "/v1/content", {"inspiration_data": {}},
                                              token=token)
        self.assertEqual(status, 201, body)
        lock = RowLock(self.db, tenant["schema_name"], body["id"])
        self.addCleanup(lock.release)
        return tenant, token, body["id"], lock

    def waiting_on_lock(self):
        return autoblog_backends(self.db, self.dbname, "AND wait_event_type = 'Lock'")

    def send_patch(self, token, item) -> socket.socket:
        body = b'{"status": "archived"}'
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        s.sendall(f"PATCH /v1/content/{item} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  f"{token}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
                  "\r\n\r\n".encode() + body)
        self.assertTrue(wait_until(lambda: self.waiting_on_lock(), timeout=10),
                        "the PATCH never waited on the row lock")
        return s

    def test_client_disconnect_cancels_its_query(self):
        _, token, item, _ = self.start()
        s = self.send_patch(token, item)
        s.close()
        t0 = time.monotonic()
        self.assertTrue(wait_until(lambda: not self.waiting_on_lock(), timeout=10),
                        f"query still waiting after the client left: {self.waiting_on_lock()}")
        self.assertLess(time.monotonic() - t0, 10)
        # The server keeps serving.
        self.assertEqual(self.server.request("GET", "/health")[0], 200)

    def test_request_deadline_cancels_the_handler_and_its_query(self):
        _, token, item, _ = self.start(AUTOBLOG_REQUEST_TIMEOUT_MS="500")
        t0 = time.monotonic()
        status, _, body = self.server.request("PATCH", f"/v1/content/{item}",
                                              {"status": "archived"}, token=token)
        took = time.monotonic() - t0
        self.assertEqual(status, 503, body)
        self.assertIn("deadline", body["error"]["message"])
        self.assertGreaterEqual(took, 0.45)
        self.assertLess(took, 0.5 + 3)
        self.assertTrue(wait_until(lambda: not self.waiting_on_lock(), timeout=10),
                        "the query outlived its request")
        self.assertEqual(self.server.request("GET", "/health")[0], 200)

    def test_shutdown_during_a_blocked_request_answers_503_and_exits_0(self):
        tenant, token, item, lock = self.start(AUTOBLOG_SHUTDOWN_TIMEOUT_MS="1000")
        s = self.send_patch(token, item)
        t0 = time.monotonic()
        self.server.proc.send_signal(signal.SIGTERM)
        s.settimeout(15)
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
        s.close()
        took = time.monotonic() - t0
        head = raw.split(b"\r\n", 1)[0]
        self.assertEqual(head, b"HTTP/1.1 503 Service Unavailable", raw[:300])
        self.assertIn(b'"unavailable"', raw)
        self.assertLess(took, 1 + 5, "503 not within the drain deadline")
        self.assertEqual(self.server.proc.wait(timeout=20), 0, self.server.logs())
        self.server.returncode = 0
        # Rolled back: nothing of the abandoned transaction holds or changed anything.
        self.assertTrue(wait_until(lambda: not autoblog_backends(self.db, self.dbname),
                                   timeout=10), "autoblog backends survived the shutdown")
        lock.release()
        rows = psql_rows(self.db, f'SELECT status FROM "{tenant["schema_name"]}".content_pipelines')
        self.assertEqual(rows, [["inspiration"]])


@unittest.skipIf(redis_server_bin() is None, "redis-server not installed")
class FrozenRedisCase(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("frozen_redis")
        cls.addClassCleanup(drop_database, cls.db)
        cls.redis = RedisServer()
        cls.addClassCleanup(cls.redis.cleanup)
        cls.redis.start()
        cls.server = cls.start_server(cls.db, env=redis_env(cls.redis.url))
        cls.tenant, cls.token = cls.server.new_tenant_with_token(tier="enterprise")

    def fallbacks(self) -> float:
        _, _, text = self.req("GET", "/metrics")
        text = text.decode() if isinstance(text, bytes) else str(text)
        total = 0.0
        for line in text.splitlines():
            if line.startswith("autoblog_rate_limit_fallbacks_total"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def test_frozen_redis_costs_a_command_timeout_then_recovers(self):
        self.assertEqual(self.req("GET", "/v1/tenant", token=self.token)[0], 200)
        before = self.fallbacks()
        os.kill(self.redis.proc.pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            status, _, body = self.req("GET", "/v1/tenant", token=self.token, timeout=30)
            took = time.monotonic() - t0
            self.assertEqual(status, 200, body)  # in-process fallback, never a 500
            self.assertLess(took, 5)
            self.assertGreater(self.fallbacks(), before)
        finally:
            os.kill(self.redis.proc.pid, signal.SIGCONT)
        # Back on Redis: the rate-limit key appears there again.
        self.redis.cmd("FLUSHALL")
        ok = wait_until(lambda: self.req("GET", "/v1/tenant", token=self.token)[0] == 200 and
                        bool(self.redis.cmd("DBSIZE")), timeout=10)
        self.assertTrue(ok, "Redis not used again after SIGCONT")


if __name__ == "__main__":
    unittest.main()
