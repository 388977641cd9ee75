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
import time

from fake_site import FakeSite

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


class FakeGhost(FakeSite):
    def __init__(self):
        super().__init__()
        self.key_id = secrets.token_hex(12)
        self.secret_hex = secrets.token_hex(32)
        self.posts: list[dict] = []
        self.images: list[dict] = []
        self._counter = 0

    @property
    def admin_url(self) -> str:
        return self.base_url

    @property
    def admin_key(self) -> str:
        return f"{self.key_id}:{self.secret_hex}"

    def add_foreign_post(self, slug: str) -> None:
        """A post written in Ghost itself (no AutoBlog marker)."""
        with self._lock:
            self.posts.append(self._new_post({"title": "Theirs", "slug": slug}))

    def state(self) -> dict:
        with self._lock:
            return json.loads(json.dumps({"posts": self.posts, "images": self.images,
                                          "requests": self.requests}))

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
            if (status := self._scripted_failure(route)) is not None:
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
                stall = self._take_stall()
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
