"""A local webhook receiver for the publishing tests (standard library only).

Accepts POSTs on /hook/<name>, verifies each against the Standard Webhooks specification with
the secrets registered for <name> (webhook-id, webhook-timestamp within 5 minutes,
webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>", any listed signature may
match) and records every request with the verdict. Per endpoint, a script of answers: each
request takes the next entry (an HTTP status, or ("stall", seconds) to hold the request before
answering 200); when the script is empty it answers 200.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signing_key(secret: str) -> bytes:
    assert secret.startswith("whsec_")
    return base64.b64decode(secret[len("whsec_"):])


def new_secret() -> str:
    import secrets as _s
    return "whsec_" + base64.b64encode(_s.token_bytes(32)).decode()


def verify(secret: str, headers: dict, body: bytes) -> str | None:
    """None when the request is signed with `secret`, else why not."""
    msg_id = headers.get("webhook-id")
    ts = headers.get("webhook-timestamp")
    sigs = headers.get("webhook-signature")
    if not msg_id or not ts or not sigs:
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return f"timestamp {ts!r} not within 5 minutes"
    mac = hmac.new(signing_key(secret), f"{msg_id}.{ts}.".encode() + body, hashlib.sha256)
    expected = "v1," + base64.b64encode(mac.digest()).decode()
    for sig in sigs.split(" "):
        if hmac.compare_digest(sig, expected):
            return None
    return "no signature matches"


class Receiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.secrets: dict[str, list[str]] = {}
        self.scripts: dict[str, list] = {}
        self.received: dict[str, list[dict]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                name = self.path.removeprefix("/hook/")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    script = receiver.scripts.get(name, [])
                    step = script.pop(0) if script else 200
                    keys = list(receiver.secrets.get(name, []))
                verdicts = {s: verify(s, headers, body) for s in keys}
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                record = {"headers": headers, "body": parsed, "raw": body, "verdicts": verdicts,
                          "answered": step}
                with receiver.lock:
                    receiver.received.setdefault(name, []).append(record)
                if isinstance(step, tuple) and step[0] == "stall":
                    time.sleep(step[1])
                    step = 200
                self.send_response(step)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/hook/{name}"

    def endpoint(self, name: str, secrets: list[str], script: list | None = None) -> str:
        with self.lock:
            self.secrets[name] = list(secrets)
            self.scripts[name] = list(script or [])
        return self.url(name)

    def requests(self, name: str) -> list[dict]:
        with self.lock:
            return list(self.received.get(name, []))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
