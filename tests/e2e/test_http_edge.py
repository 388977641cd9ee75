"""E2E: HTTP framing at the edge, on raw sockets.

- Request smuggling: a Transfer-Encoding whose final coding is not chunked is a 400 and the
  connection closes — the bytes after the head never run as a second request.
- RFC 9112 §3.2: an HTTP/1.1 request without Host, or with two, is a 400.
- Keep-alive slowloris: the header deadline runs from the first byte of every request, not only
  the first one on a connection.
"""
import os
import resource
import socket
import time
import unittest

from harness import E2ETestCase, drop_database, fresh_database


def read_all(s: socket.socket, timeout: float) -> bytes:
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    except socket.timeout:
        return out


class HttpEdgeCase(E2ETestCase):
    HEADER_TIMEOUT_MS = 1000

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("http_edge")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env={
            "AUTOBLOG_HTTP_HEADER_TIMEOUT_MS": str(cls.HEADER_TIMEOUT_MS)})

    def exchange(self, payload: bytes, timeout: float = 5.0) -> bytes:
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout) as s:
            s.sendall(payload)
            return read_all(s, timeout)

    def test_transfer_encoding_not_ending_in_chunked_is_refused_and_nothing_is_smuggled(self):
        smuggled = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        for te in (b"gzip", b"chunked, identity", b"identity", b"chunked\r\nTransfer-Encoding: gzip"):
            raw = self.exchange(b"POST /v1/content HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
                                b"\r\n\r\n" + smuggled)
            self.assertTrue(raw.startswith(b"HTTP/1.1 400 "), (te, raw[:200]))
            self.assertEqual(raw.count(b"HTTP/1.1 "), 1, f"{te!r}: a second request ran: {raw!r}")
            self.assertIn(b"Connection: close", raw)

    def test_unsupported_codings_before_chunked_are_501(self):
        raw = self.exchange(b"POST /v1/content HTTP/1.1\r\nHost: x\r\n"
                            b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 501 "), raw[:200])

    def test_transfer_encoding_with_content_length_is_refused(self):
        raw = self.exchange(b"POST /v1/content HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 400 "), raw[:200])
        self.assertEqual(raw.count(b"HTTP/1.1 "), 1, raw)

    def test_host_header_must_be_there_once(self):
        raw = self.exchange(b"GET /health HTTP/1.1\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 400 "), raw[:200])
        self.assertIn(b"Host", raw)
        raw = self.exchange(b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 400 "), raw[:200])
        # HTTP/1.0 has no Host requirement; an ordinary request still works.
        raw = self.exchange(b"GET /health HTTP/1.0\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.0 200 "), raw[:200])
        raw = self.exchange(b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200 "), raw[:200])

    def test_absolute_form_targets_are_accepted(self):
        raw = self.exchange(b"GET http://blog.example/health HTTP/1.1\r\nHost: blog.example\r\n"
                            b"Connection: close\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200 "), raw[:200])

    def test_header_deadline_applies_to_every_request_on_a_connection(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(5)
            first = s.recv(65536)
            self.assertTrue(first.startswith(b"HTTP/1.1 200 "), first)
            # A second request trickled a byte at a time, well inside the idle timeout.
            t0 = time.monotonic()
            closed_after = None
            for b in b"GET /health HTTP/1.1\r\nX-Slow: " + b"a" * 200:
                try:
                    s.sendall(bytes([b]))
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - t0
                    break
                s.settimeout(0.2)
                try:
                    if s.recv(1) == b"":
                        closed_after = time.monotonic() - t0
                        break
                except socket.timeout:
                    pass
                except ConnectionResetError:
                    closed_after = time.monotonic() - t0
                    break
            self.assertIsNotNone(closed_after, "the trickled head was never cut off")
            # header deadline + the sweeper's 250 ms granularity + slack
            self.assertLess(closed_after, self.HEADER_TIMEOUT_MS / 1000 + 2.5)


class MethodLabelCase(E2ETestCase):
    """Made-up methods are 501 and counted as method="other": anonymous input never becomes a
    metric label."""

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("methods")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)

    def test_unknown_methods_are_501_and_bounded_in_metrics(self):
        for i in range(200):
            method = f"X{i:03d}" + "M" * 8000
            raw = self.exchange(f"{method} /health HTTP/1.1\r\nHost: x\r\nConnection: close"
                                "\r\n\r\n".encode())
            self.assertTrue(raw.startswith(b"HTTP/1.1 501 "), raw[:100])
            self.assertNotIn(b"MMMM", raw)
        _, _, text = self.req("GET", "/metrics")
        text = text.decode() if isinstance(text, bytes) else str(text)
        self.assertIn('method="other"', text)
        self.assertNotIn("MMMM", text)
        self.assertLess(len(text), 200_000)

    def exchange(self, payload: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(payload)
            return read_all(s, 5)


class BodyAfterAuthCase(E2ETestCase):
    """Authentication and the rate limit decide on the headers: a refused client's body is
    never read, `100 Continue` is only sent to a client that will be served, and the bodies held
    in memory at once are capped."""

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("body_after_auth")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env={
            "AUTOBLOG_MAX_INFLIGHT_BODY_BYTES": str(3 << 20)})
        cls.tenant, cls.token = cls.server.new_tenant_with_token(tier="enterprise")

    def head(self, token: str | None, length: int, expect: bool = False,
             key: str = "up/big.bin") -> bytes:
        h = (f"PUT /v1/files/{key} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
             "Content-Type: application/octet-stream\r\n")
        if token:
            h += f"Authorization: Bearer {token}\r\n"
        if expect:
            h += "Expect: 100-continue\r\n"
        return (h + "\r\n").encode()

    def rss_kb(self) -> int:
        with open(f"/proc/{self.server.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def test_anonymous_upload_is_refused_before_its_body(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(self.head(None, 24 << 20))  # and no body at all
            raw = read_all(s, 5)
        self.assertTrue(raw.startswith(b"HTTP/1.1 401 "), raw[:200])

    def test_100_continue_only_for_clients_that_will_be_served(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(self.head("not-a-token", 1000, expect=True))
            raw = read_all(s, 5)
        self.assertTrue(raw.startswith(b"HTTP/1.1 401 "), raw[:200])
        self.assertNotIn(b"100 Continue", raw)
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(self.head(self.token, 5, expect=True))
            s.settimeout(5)
            first = s.recv(4096)
            self.assertTrue(first.startswith(b"HTTP/1.1 100 Continue"), first)
            s.sendall(b"hello")
            rest = first.split(b"\r\n\r\n", 1)[1] + s.recv(65536)
            self.assertRegex(rest[:13], rb"^HTTP/1.1 20[01]", rest[:200])

    def test_bodies_in_flight_are_capped(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(self.head(self.token, 4 << 20, key="up/capped.bin"))  # over the 3 MiB budget
            raw = read_all(s, 5)
        self.assertTrue(raw.startswith(b"HTTP/1.1 503 "), raw[:200])
        status, _, _ = self.req("GET", "/v1/files/up/capped.bin", token=self.token)
        self.assertEqual(status, 404, "a refused upload was stored")

    def test_stalled_anonymous_uploads_cost_no_memory(self):
        before = self.rss_kb()
        conns = []
        self.addCleanup(lambda: [c.close() for c in conns])
        chunk = b"\0" * (1 << 20)
        sent_mb = 0
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            conns.append(s)
            s.sendall(self.head(None, 24 << 20))
            try:
                for _ in range(8):
                    s.sendall(chunk)
                    sent_mb += 1
            except OSError:  # refused and closed (reset, broken pipe) or no longer read
                pass
        grown_mb = (self.rss_kb() - before) / 1024
        # Holding the bodies would cost at least what was sent (64 MB); a sanitizer build's
        # shadow memory makes everything else larger, hence its looser bound.
        bound = 40 if os.environ.get("TSAN_OPTIONS") or os.environ.get("AUTOBLOG_SANITIZER") else 20
        self.assertLess(grown_mb, min(bound, max(sent_mb, 1) * 0.7),
                        f"server grew by {grown_mb:.0f} MB for {sent_mb} MB of refused uploads")
        self.assertEqual(self.req("GET", "/health")[0], 200)


@unittest.skipIf(os.environ.get("AUTOBLOG_SANITIZER") == "asan",
                 "UBSan's vptr check needs a free descriptor to read /proc/self/maps, so out of "
                 "descriptors it reports every virtual call (the release and TSan builds run this)")
class DescriptorExhaustionCase(E2ETestCase):
    """With the server's descriptor limit lowered to 96 and 150 idle clients, the accept loop
    backs off (no spinning core, no log flood) and a new client is still served, because the
    oldest idle keep-alive connections make room."""

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("emfile")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)

    @staticmethod
    def cpu_seconds(pid: int) -> float:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def test_accept_backs_off_and_sheds_idle_connections(self):
        pid = self.server.proc.pid
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (96, 96))
        idle = []
        self.addCleanup(lambda: [c.close() for c in idle])
        for _ in range(150):
            idle.append(socket.create_connection(("127.0.0.1", self.server.port), timeout=5))
        log_before = os.path.getsize(self.server.stderr_path)
        cpu0, t0 = self.cpu_seconds(pid), time.monotonic()
        time.sleep(2.0)  # measuring what the server does on its own meanwhile
        used = (self.cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        self.assertLess(used, 0.3, f"server used {used:.2f} of a core while out of descriptors")
        grown = os.path.getsize(self.server.stderr_path) - log_before
        self.assertLess(grown, 20000, f"log grew by {grown} bytes in 2 s")
        # A new client is served although every descriptor was taken by idle ones.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            raw = read_all(s, 10)
        self.assertTrue(raw.startswith(b"HTTP/1.1 200 "), raw[:200])


if __name__ == "__main__":
    unittest.main()
