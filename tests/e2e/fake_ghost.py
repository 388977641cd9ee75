"""A fake Ghost Admin API for the publishing end-to-end tests (standard library only).

    with FakeGhost() as ghost:
        target = {"type": "ghost", "admin_url": ghost.admin_url, "admin_key": ghost.admin_key}
        ghost.stall_next_create(seconds=40)    # store the next post, then hold the answer
        ghost.fail_next("POST /posts/", 502)
        ghost.state()                          # or GET {admin_url}/__state

It listens on 127.0.0.1 (a free port) in a thread of the test process and serves what the
adapter uses under /ghost/api/admin: GET /posts/slug/<slug>/, GET/PUT/DELETE /posts/<id>/ (PUT
checks updated_at, 409 otherwise), POST /posts/?source=html (a taken slug gets "-2", as Ghost
does), POST /images/upload/ (multipart with file and purpose=image). Every request must carry
`Authorization: Ghost <token>`, verified as Ghost does: HS256, kid = the key's id, aud /admin/,
at most five minutes between iat and exp, not expired, signature with the hex-decoded secret;
anything else is 401 with the reason recorded. Thread-safe: one lock.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PREFIX = "/ghost/api/admin"


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def token_problem(authorization: str | None, key_id: str, secret_hex: str) -> str | None:
    """None when `authorization` is a valid Ghost Admin token for the key, else why not."""
    if not authorization or not authorization.startswith("Ghost "):
        return "scheme is not Ghost"
    token = authorization[len("Ghost "):]
    parts = token.split(".")
    if len(parts) != 3:
        return "not three parts"
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
    except ValueError:
        return "malformed"
    if header.get("alg") != "HS256" or header.get("kid") != key_id:
        return "alg or kid"
    if claims.get("aud") != "/admin/":
        return "aud"
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int) or exp - iat > 300:
        return "lifetime"
    if exp <= time.time():
        return "expired"
    expected = hmac.new(bytes.fromhex(secret_hex), f"{parts[0]}.{parts[1]}".encode(),
                        hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        return "signature"
    return None


class FakeGhost:
    def __init__(self):
        self.key_id = secrets.token_hex(12)
        self.secret_hex = secrets.token_hex(32)
        self._lock = threading.Lock()
        self.posts: list[dict] = []
        self.images: list[dict] = []
        self.requests: list[dict] = []
        self._failures: list[tuple[str, int]] = []
        self._stall_seconds = 0.0
        self._counter = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def admin_key(self) -> str:
        return f"{self.key_id}:{self.secret_hex}"

    def fail_next(self, route: str, status: int) -> None:
        """The next request of `route` ("POST /posts/", "PUT /posts/<id>/", ...) answers status."""
        with self._lock:
            self._failures.append((route, status))

    def stall_next_create(self, seconds: float = 60.0) -> None:
        with self._lock:
            self._stall_seconds = seconds

    def add_foreign_post(self, slug: str) -> None:
        """A post written in Ghost itself (no AutoBlog marker)."""
        with self._lock:
            self.posts.append(self._new_post({"title": "Theirs", "slug": slug}))

    def state(self) -> dict:
        with self._lock:
            return json.loads(json.dumps({"posts": self.posts, "images": self.images,
                                          "requests": self.requests}))

    def __enter__(self) -> "FakeGhost":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- the API -------------------------------------------------------------------------
    def _new_post(self, fields: dict) -> dict:
        self._counter += 1
        slug = fields.get("slug") or f"post-{self._counter}"
        while any(p["slug"] == slug for p in self.posts):
            slug += "-2"
        post = dict(fields, id=f"{self._counter:024x}", slug=slug,
                    updated_at=f"2026-01-01T00:00:{self._counter % 60:02d}.000Z")
        post.setdefault("codeinjection_foot", None)
        post["url"] = f"{self.admin_url}/{slug}/"
        return post

    @staticmethod
    def _error(status: int, message: str, context: str | None = None):
        return status, {"errors": [{"message": message, "context": context}]}, 0

    def _handle(self, method: str, path: str, query: dict, headers, body: bytes):
        with self._lock:
            problem = token_problem(headers.get("Authorization"), self.key_id, self.secret_hex)
            self.requests.append({"method": method, "path": path, "query": query,
                                  "token_problem": problem, "at": time.time()})
            if problem:
                return self._error(401, "Invalid token", problem)
            if not path.startswith(PREFIX):
                return self._error(404, "Resource not found")
            sub = path[len(PREFIX):]
            route = f"{method} {sub}"
            pid = None
            if sub.startswith("/posts/") and not sub.startswith("/posts/slug/") and sub != "/posts/":
                pid = sub[len("/posts/"):].strip("/")
                route = f"{method} /posts/<id>/"
            for i, (r, status) in enumerate(self._failures):
                if r == route:
                    del self._failures[i]
                    return self._error(status, f"scripted {status}")
            if method == "GET" and sub.startswith("/posts/slug/"):
                slug = sub[len("/posts/slug/"):].strip("/")
                post = next((p for p in self.posts if p["slug"] == slug), None)
                return (200, {"posts": [post]}, 0) if post else self._error(404, "Post not found.")
            if route == "POST /posts/":
                if query.get("source") != "html":
                    return self._error(422, "Validation error", "html needs ?source=html")
                fields = json.loads(body)["posts"][0]
                if len(fields.get("custom_excerpt") or "") > 300:
                    return self._error(422, "Validation error, cannot save post.",
                                       "custom_excerpt exceeds 300 characters")
                post = self._new_post(fields)
                self.posts.append(post)
                stall, self._stall_seconds = self._stall_seconds, 0.0
                return 201, {"posts": [post]}, stall
            post = next((p for p in self.posts if p["id"] == pid), None) if pid else None
            if route == "GET /posts/<id>/":
                return (200, {"posts": [post]}, 0) if post else self._error(404, "Post not found.")
            if route == "PUT /posts/<id>/":
                if post is None:
                    return self._error(404, "Post not found.")
                fields = json.loads(body)["posts"][0]
                if fields.get("updated_at") != post["updated_at"]:
                    return self._error(409, "Saving failed! Someone else is editing this post.")
                post.update({k: v for k, v in fields.items() if k != "updated_at"})
                self._counter += 1
                post["updated_at"] = f"2026-01-01T00:01:{self._counter % 60:02d}.000Z"
                return 200, {"posts": [post]}, 0
            if route == "DELETE /posts/<id>/":
                if post is None:
                    return self._error(404, "Post not found.")
                self.posts.remove(post)
                return 204, None, 0
            if route == "POST /images/upload/":
                ctype = headers.get("Content-Type") or ""
                if not ctype.startswith("multipart/form-data") or "boundary=" not in ctype:
                    return self._error(400, "Please select an image.")
                boundary = ctype.split("boundary=", 1)[1].encode()
                if (b'name="purpose"\r\n\r\nimage\r\n' not in body
                        or b'name="file"; filename="' not in body
                        or b"--" + boundary + b"--" not in body):
                    return self._error(400, "Please select an image.")
                filename = body.split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
                url = f"{self.admin_url}/content/images/{len(self.images) + 1}/{filename}"
                self.images.append({"url": url, "size": len(body)})
                return 201, {"images": [{"url": url, "ref": filename}]}, 0
            return self._error(404, "Resource not found")

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if url.path == "/__state":  # test-only: what the fake holds and received
                    status, doc, stall = 200, fake.state(), 0
                else:
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    status, doc, stall = fake._handle(self.command, url.path, query, self.headers,
                                                      body)
                if stall:
                    time.sleep(stall)
                out = b"" if doc is None else json.dumps(doc).encode()
                try:
                    self.send_response(status)
                    if doc is not None:
                        self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
