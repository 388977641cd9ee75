"""A fake WordPress REST API for the publishing end-to-end tests (standard library only).

    with FakeWordPress(username="bot", password="abcd efgh ijkl mnop qrst uvwx") as wp:
        target = {"type": "wordpress", "site": wp.site, "username": "bot",
                  "application_password": "abcd efgh ijkl mnop qrst uvwx"}
        wp.stall_next_create(seconds=40)   # store the next post, then hold the answer
        wp.fail_next("POST /posts", 503)   # the next create answers 503
        wp.state()                         # or GET {site}/__state: posts, media, requests

It listens on 127.0.0.1 (a free port) in a thread of the test process and serves what the
adapter uses under /wp-json/wp/v2: GET/POST /posts (search, status=any, context=edit), POST and
DELETE /posts/<id> (DELETE moves to the trash; 410 when already trashed), GET/POST /media (raw
bytes with Content-Disposition). Every route checks Basic authentication with the one user and
application password (spaces accepted as WordPress shows them) and answers 401 with WordPress's
error document otherwise. Every request is recorded (method, path, query, whether the auth was
right). Thread-safe: handlers run in their own threads and share one lock.
"""
from __future__ import annotations

import base64
import json
import time

from fake_site import FakeSite

PREFIX = "/wp-json/wp/v2"


class FakeWordPress(FakeSite):
    def __init__(self, username: str = "bot", password: str = "abcd efgh ijkl mnop qrst uvwx"):
        super().__init__()
        self.username = username
        self.password = password
        self.posts: list[dict] = []
        self.media: list[dict] = []
        self._next_id = 100

    # ---- test controls -------------------------------------------------------------------
    @property
    def site(self) -> str:
        return self.base_url

    def state(self) -> dict:
        with self._lock:
            return json.loads(json.dumps({"posts": self.posts, "media": [
                {k: v for k, v in m.items() if k != "bytes"} | {"size": len(m["bytes"])}
                for m in self.media], "requests": self.requests}))

    # ---- the API -------------------------------------------------------------------------
    def _authorized(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"

    def _view(self, p: dict) -> dict:
        return {"id": p["id"], "link": f"{self.site}/?p={p['id']}", "slug": p["slug"],
                "status": p["status"], "featured_media": p.get("featured_media", 0),
                "title": {"raw": p["title"]}, "content": {"raw": p["content"]},
                "excerpt": {"raw": p.get("excerpt", "")}}

    def _handle(self, method: str, path: str, query: dict, headers, body: bytes):
        """(status, json document, seconds to wait before answering)."""
        with self._lock:
            ok = self._authorized(headers.get("Authorization"))
            self.requests.append({"method": method, "path": path, "query": query, "auth_ok": ok,
                                  "at": time.time()})
            if not ok:
                return 401, {"code": "incorrect_password",
                             "message": "The provided password is an invalid application password.",
                             "data": {"status": 401}}, 0
            if not path.startswith(PREFIX):
                return 404, {"code": "rest_no_route", "message": "No route was found."}, 0
            sub = path[len(PREFIX):]
            route = f"{method} /posts/<id>" if sub.startswith("/posts/") else f"{method} {sub}"
            if (status := self._scripted_failure(route)) is not None:
                return status, {"code": "fake_failure", "message": f"scripted {status}"}, 0
            if route == "GET /posts":
                term = query.get("search", "")
                found = [self._view(p) for p in self.posts
                         if p["status"] != "trash" and term in p["content"]]
                return 200, found, 0
            if route == "POST /posts":
                doc = json.loads(body or b"{}")
                if not doc.get("title"):
                    return 400, {"code": "rest_invalid_param",
                                 "message": "Invalid parameter(s): title"}, 0
                media_ids = {m["id"] for m in self.media}
                if doc.get("featured_media") and doc["featured_media"] not in media_ids:
                    return 400, {"code": "rest_invalid_featured_media",
                                 "message": "Invalid featured media ID."}, 0
                post = {"id": self._next_id, "title": doc["title"], "slug": doc.get("slug", ""),
                        "content": doc.get("content", ""), "excerpt": doc.get("excerpt", ""),
                        "status": doc.get("status", "draft"),
                        "featured_media": doc.get("featured_media", 0)}
                self._next_id += 1
                self.posts.append(post)
                return 201, self._view(post), self._take_stall()
            if route in ("POST /posts/<id>", "DELETE /posts/<id>"):
                pid = sub[len("/posts/"):]
                post = next((p for p in self.posts if str(p["id"]) == pid), None)
                if post is None:
                    return 404, {"code": "rest_post_invalid_id", "message": "Invalid post ID."}, 0
                if method == "DELETE":
                    if post["status"] == "trash":
                        return 410, {"code": "rest_already_trashed",
                                     "message": "The post has already been deleted."}, 0
                    post["status"] = "trash"
                    return 200, self._view(post), 0
                doc = json.loads(body or b"{}")
                for key in ("title", "content", "excerpt", "slug", "status", "featured_media"):
                    if key in doc:
                        post[key] = doc[key]
                return 200, self._view(post), 0
            if route == "GET /media":
                term = query.get("search", "")
                return 200, [{"id": m["id"], "source_url": m["source_url"]} for m in self.media
                             if term in m["filename"]], 0
            if route == "POST /media":
                disposition = headers.get("Content-Disposition") or ""
                if 'filename="' not in disposition:
                    return 400, {"code": "rest_upload_no_content_disposition",
                                 "message": "No Content-Disposition supplied."}, 0
                filename = disposition.split('filename="', 1)[1].split('"', 1)[0]
                m = {"id": self._next_id, "filename": filename,
                     "content_type": headers.get("Content-Type"), "bytes": body,
                     "source_url": f"{self.site}/wp-content/uploads/{filename}"}
                self._next_id += 1
                self.media.append(m)
                return 201, {"id": m["id"], "source_url": m["source_url"]}, 0
            return 404, {"code": "rest_no_route", "message": "No route was found."}, 0
