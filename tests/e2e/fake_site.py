"""What the fake publishing sites (fake_wordpress.py, fake_ghost.py) share: a threaded local
HTTP server answering JSON from the subclass's _handle(method, path, query, headers, body) ->
(status, document or None, seconds to hold the answer), a lock over the subclass's state, the
requests received, scripted failures (fail_next) and a stall after the next create
(stall_next_create). GET /__state answers state() (test-only). Use as a context manager."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeSite:
    def __init__(self):
        self._lock = threading.Lock()
        self.requests: list[dict] = []
        self._failures: list[tuple[str, int]] = []
        self._stall_seconds = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail_next(self, route: str, status: int) -> None:
        """The next request of `route` (see the subclass) answers `status`."""
        with self._lock:
            self._failures.append((route, status))

    def clear_failures(self) -> None:
        """Drops the failures fail_next scripted and no request has taken yet."""
        with self._lock:
            self._failures.clear()

    def stall_next_create(self, seconds: float = 60.0) -> None:
        """The next create stores the post, then waits `seconds` before answering."""
        with self._lock:
            self._stall_seconds = seconds

    def _scripted_failure(self, route: str) -> int | None:
        """The status fail_next scripted for `route` (consumed), or None. Call under the lock."""
        for i, (r, status) in enumerate(self._failures):
            if r == route:
                del self._failures[i]
                return status
        return None

    def _take_stall(self) -> float:
        """The stall to apply to this create (consumed). Call under the lock."""
        stall, self._stall_seconds = self._stall_seconds, 0.0
        return stall

    def state(self) -> dict:
        raise NotImplementedError

    def _handle(self, method: str, path: str, query: dict, headers, body: bytes):
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if url.path == "/__state":
                    status, doc, stall = 200, fake.state(), 0
                else:
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    status, doc, stall = fake._handle(self.command, url.path, query, self.headers,
                                                      body)
                if stall:
                    time.sleep(stall)  # the post exists; the answer comes too late
                out = b"" if doc is None else json.dumps(doc).encode()
                try:
                    self.send_response(status)
                    if doc is not None:
                        self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its deadline passed)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
