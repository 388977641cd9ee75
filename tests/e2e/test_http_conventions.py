"""E2E: the HTTP conventions clients and their tools rely on.

- HEAD on every GET route: the GET's head (Content-Length included), no body; Allow on a 405
  lists HEAD wherever GET is allowed.
- Date (IMF-fixdate) on every response, errors and pre-routing refusals included.
- Location on every 201: tenants, tokens, content items, performance records, new files (a
  replaced file is a 200 without Location), and following it finds the resource.
- WWW-Authenticate: Bearer on every 401, with error="invalid_token" when a token was sent.
- GET/HEAD /v1/files/{key}: a strong ETag, If-None-Match → 304, Range a-b / a- / -n → 206 with
  Content-Range, unsatisfiable → 416 with Content-Range: bytes */N, several ranges → 200 with
  the whole object, If-Range with a stale tag → 200; large objects stream across storage pieces
  (both backends: local files and S3 via s3rver).
- Rate-limit headers on a tenant's 404 and 405; an anonymous or badly authenticated request to
  an unknown path stays a plain 404 without them.
- A lowered limit keeps the fraction of the burst already used (in-process and Redis limiters).
- The admin tenant JSON shows the per-tenant limit overrides and the effective limits.
"""
import email.utils
import hashlib
import os
import re
import socket
import threading
import time
import unittest
import urllib.parse

from harness import (E2ETestCase, S3rver, assert_error, drop_database, fresh_database, make_jwt,
                     random_uuid, redis_env, s3_env, shared_s3_endpoint)

MiB = 1024 * 1024
IMF_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
                    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                    r"\d{2}:\d{2}:\d{2} GMT$")
RL_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
# Headers that legitimately differ between two answers to the same request.
VOLATILE = {"date", "x-request-id", "x-ratelimit-remaining", "x-ratelimit-reset"}


def raw_exchange(port, request: bytes, timeout=10.0) -> bytes:
    """Sends one request with Connection: close and returns every byte until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        out = b""
        while True:
            got = s.recv(65536)
            if not got:
                return out
            out += got


def parse_head(raw: bytes):
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, rest


def pattern(i: int, size: int) -> bytes:
    seed = hashlib.sha256(i.to_bytes(8, "big")).digest()
    return (seed * (size // len(seed) + 1))[:size]


class ConventionCases:
    """Everything but the files cases, on one server (local storage, in-process limiter)."""

    def assert_date(self, headers, context=""):
        self.assertIn("date", headers, f"no Date header {context}: {headers}")
        self.assertRegex(headers["date"], IMF_RE)
        when = email.utils.parsedate_to_datetime(headers["date"]).timestamp()
        self.assertLess(abs(when - time.time()), 5, f"Date is not now: {headers['date']}")

    # ---- HEAD

    def test_head_on_every_get_route_has_the_get_head_and_no_body(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token("growth")
        _, _, item = srv.request("POST", "/v1/content", {"inspiration_data": {"a": 1}}, token=tok)
        srv.request("PUT", "/v1/brand", {"voice_tone": {}, "topics": ["x"]}, token=tok)
        srv.request("PUT", "/v1/files/h/one.txt", b"hello head", token=tok,
                    headers={"Content-Type": "text/plain"})
        cases = [("/health", None), ("/health/ready", None), ("/openapi.json", None),
                 ("/metrics", None),
                 ("/v1/tenant", tok), ("/v1/brand", tok), ("/v1/content", tok),
                 (f"/v1/content/{item['id']}", tok), (f"/v1/content/{item['id']}/performance", tok),
                 ("/v1/files", tok), ("/v1/files/h/one.txt", tok),
                 ("/v1/admin/tenants", srv.admin_token), (f"/v1/admin/tenants/{t['id']}",
                                                          srv.admin_token),
                 (f"/v1/admin/tenants/{t['id']}/tokens", srv.admin_token)]
        for path, token in cases:
            with self.subTest(path=path):
                auth = f"Authorization: Bearer {token}\r\n" if token else ""
                raws = {}
                for method in ("GET", "HEAD"):
                    raws[method] = raw_exchange(
                        srv.port, f"{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}"
                                  f"Connection: close\r\n\r\n".encode())
                gs, gh, gbody = parse_head(raws["GET"])
                hs, hh, hbody = parse_head(raws["HEAD"])
                self.assertEqual(gs, 200, raws["GET"][:300])
                self.assertEqual(hs, gs, raws["HEAD"][:300])
                self.assertEqual(hbody, b"", "a HEAD answer has no body")
                # /metrics and listings may change between the two requests; the rest may not
                if path not in ("/metrics", "/v1/admin/tenants"):
                    self.assertEqual(int(hh["content-length"]), len(gbody))
                self.assertEqual({k: v for k, v in hh.items()
                                  if k not in VOLATILE | {"content-length"}},
                                 {k: v for k, v in gh.items()
                                  if k not in VOLATILE | {"content-length"}})
                self.assert_date(hh, f"HEAD {path}")

    def test_head_works_on_a_keep_alive_connection(self):
        # http.client reads a HEAD answer by its status line and headers only: a body sent by
        # mistake would be read as the next response and break the one after it.
        srv = self.server
        for _ in range(3):
            status, headers, body = srv.request("HEAD", "/health")
            self.assertEqual((status, body), (200, None))
            self.assertGreater(int(headers["content-length"]), 0)
            status, _, body = srv.request("GET", "/health")
            self.assertEqual(status, 200)
            self.assertIsInstance(body, dict)

    def test_allow_on_405_lists_head_where_get_is_allowed(self):
        srv = self.server
        status, headers, body = srv.request("DELETE", "/health")
        assert_error(status, body, 405, "invalid_request")
        self.assertEqual(headers["allow"], "GET, HEAD")
        status, headers, body = srv.admin("PUT", "/v1/admin/tenants")
        assert_error(status, body, 405, "invalid_request")
        self.assertEqual([m.strip() for m in headers["allow"].split(",")], ["POST", "GET", "HEAD"])
        # a POST-only route gains nothing
        status, headers, body = srv.admin("GET", f"/v1/admin/tenants/{random_uuid()}/tokens/x")
        assert_error(status, body, 405, "invalid_request")
        self.assertNotIn("HEAD", headers["allow"])
        self.assertNotIn("GET", headers["allow"])

    # ---- Date

    def test_date_on_every_response_including_errors_and_refusals(self):
        srv = self.server
        for method, path, token in (("GET", "/health", None), ("GET", "/nowhere", None),
                                    ("GET", "/v1/tenant", None), ("DELETE", "/health", None),
                                    ("GET", "/v1/admin/tenants", "wrong")):
            status, headers, _ = srv.request(method, path, token=token)
            self.assert_date(headers, f"{method} {path} ({status})")
        # refused by the server before routing: a malformed request
        raw = raw_exchange(srv.port, b"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        status, headers, _ = parse_head(raw)
        self.assertEqual(status, 400, raw[:200])
        self.assert_date(headers, "a malformed request")
        self.assertEqual(len(re.findall(rb"(?im)^date:", raw)), 1)

    # ---- Location

    def test_location_on_every_201_names_the_created_resource(self):
        srv = self.server
        status, headers, t = srv.admin("POST", "/v1/admin/tenants",
                                       {"name": "loc", "subscription_tier": "growth"})
        self.assertEqual(status, 201, t)
        self.assertEqual(headers["location"], f"/v1/admin/tenants/{t['id']}")
        self.assertEqual(srv.admin("GET", headers["location"])[2]["id"], t["id"])

        status, headers, tok = srv.admin("POST", f"/v1/admin/tenants/{t['id']}/tokens", {})
        self.assertEqual(status, 201, tok)
        self.assertEqual(headers["location"], f"/v1/admin/tenants/{t['id']}/tokens/{tok['jti']}")
        token = tok["token"]
        _, _, listed = srv.admin("GET", f"/v1/admin/tenants/{t['id']}/tokens")
        self.assertIn(tok["jti"], [i["jti"] for i in listed["items"]])

        status, headers, item = srv.request("POST", "/v1/content", {"inspiration_data": {}},
                                            token=token)
        self.assertEqual(status, 201, item)
        self.assertEqual(headers["location"], f"/v1/content/{item['id']}")
        self.assertEqual(srv.request("GET", headers["location"], token=token)[2], item)

        status, headers, record = srv.request("POST", f"/v1/content/{item['id']}/performance",
                                              {"metrics": {"views": 3}}, token=token)
        self.assertEqual(status, 201, record)
        self.assertEqual(headers["location"], f"/v1/content/{item['id']}/performance")
        _, _, records = srv.request("GET", headers["location"], token=token)
        self.assertIn(record, records["items"])

        key = "loc/a b.txt"
        path = "/v1/files/" + urllib.parse.quote(key)
        status, headers, info = srv.request("PUT", path, b"first", token=token)
        self.assertEqual(status, 201, info)
        self.assertEqual(headers["location"], path)
        self.assertEqual(srv.request("GET", headers["location"], token=token)[2], b"first")
        status, headers, info = srv.request("PUT", path, b"second", token=token)
        self.assertEqual(status, 200, "replacing an object is not a creation")
        self.assertNotIn("location", headers)

    # ---- WWW-Authenticate

    def test_every_401_carries_a_bearer_challenge(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token()
        expired = make_jwt(srv.jwt_secret, {"tenant_id": t["id"], "exp": int(time.time()) - 60})
        cases = [("/v1/tenant", None, "Bearer"),
                 ("/v1/admin/tenants", None, "Bearer"),
                 ("/v1/tenant", "not-a-jwt", 'Bearer error="invalid_token"'),
                 ("/v1/tenant", expired, 'Bearer error="invalid_token"'),
                 ("/v1/admin/tenants", "wrong-admin-token", 'Bearer error="invalid_token"')]
        for path, token, challenge in cases:
            status, headers, body = srv.request("GET", path, token=token)
            assert_error(status, body, 401, "unauthorized", f"{path} with {token!r}")
            self.assertEqual(headers.get("www-authenticate"), challenge, (path, token))
        # revoked: the token was good, and is not any more
        status, _, issued = srv.admin("POST", f"/v1/admin/tenants/{t['id']}/tokens", {})
        self.assertEqual(srv.admin("DELETE", f"/v1/admin/tenants/{t['id']}/tokens/"
                                             f"{issued['jti']}")[0], 204)
        deadline = time.monotonic() + 5
        while True:
            status, headers, body = srv.request("GET", "/v1/tenant", token=issued["token"])
            if status == 401 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert_error(status, body, 401, "unauthorized", "revoked token")
        self.assertEqual(headers.get("www-authenticate"), 'Bearer error="invalid_token"')
        # other statuses carry no challenge
        status, headers, _ = srv.request("GET", "/v1/tenant", token=tok)
        self.assertEqual(status, 200)
        self.assertNotIn("www-authenticate", headers)

    # ---- rate-limit headers on 404/405

    def test_tenant_404_and_405_carry_rate_limit_headers(self):
        srv = self.server
        _, tok = srv.new_tenant_with_token("starter")
        seen = []
        for method, path, expected in (("GET", "/v1/no-such-thing", 404),
                                       ("GET", "/v1/content/a/b/c", 404),
                                       ("DELETE", "/v1/tenant", 405),
                                       ("POST", "/v1/files", 405)):
            status, headers, body = srv.request(method, path, token=tok)
            assert_error(status, body, expected,
                         "not_found" if expected == 404 else "invalid_request", path)
            for h in RL_HEADERS:
                self.assertIn(h, headers, f"{method} {path} lacks {h}: {headers}")
            self.assertEqual(headers["x-ratelimit-limit"], "500")
            seen.append(int(headers["x-ratelimit-remaining"]))
            self.assert_date(headers)
        self.assertEqual(seen, [499, 498, 497, 496], "a tenant's 404/405 count like any request")
        self.assertIn("allow", srv.request("DELETE", "/v1/tenant", token=tok)[1])

    def test_unknown_paths_without_a_valid_tenant_token_stay_plain_404s(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token("starter")
        cases = [(None, "/v1/no-such-thing"), ("garbage", "/v1/no-such-thing"),
                 (srv.admin_token, "/v1/no-such-thing"),  # the admin token on the tenant side
                 (tok, "/v1/admin/no-such-thing"),  # the admin side is not the tenant's
                 (tok, "/nowhere")]
        for token, path in cases:
            status, headers, body = srv.request("GET", path, token=token)
            assert_error(status, body, 404, "not_found", f"{path} with {token!r}")
            for h in RL_HEADERS:
                self.assertNotIn(h, headers, f"{path} with {token!r}: {headers}")
            self.assertNotIn("www-authenticate", headers)
        # none of them counted against the tenant
        _, headers, _ = srv.request("GET", "/v1/tenant", token=tok)
        self.assertEqual(headers["x-ratelimit-remaining"], "499")

    def test_a_throttled_tenant_is_told_so_on_unknown_paths_too(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token("starter")
        self.assertEqual(srv.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                   {"limits": {"requests_per_hour": 1}})[0], 200)
        self.assertEqual(srv.request("GET", "/v1/tenant", token=tok)[0], 200)
        status, headers, body = srv.request("GET", "/v1/no-such-thing", token=tok)
        assert_error(status, body, 429, "rate_limited")
        self.assertIn("retry-after", headers)

    # ---- admin tenant JSON shows limits

    def test_admin_tenant_json_shows_overrides_and_effective_limits(self):
        srv = self.server
        t = srv.create_tenant(tier="growth")
        self.assertEqual(t["limits"], {})
        self.assertEqual(t["effective_limits"]["requests_per_hour"], 2000)
        self.assertEqual(t["effective_limits"]["ai_model"], "gpt-4o")
        status, _, patched = srv.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                       {"limits": {"requests_per_hour": 5, "ai_model": "small"}})
        self.assertEqual(status, 200, patched)
        self.assertEqual(patched["limits"], {"requests_per_hour": 5, "ai_model": "small"})
        self.assertEqual(patched["effective_limits"]["requests_per_hour"], 5)
        self.assertEqual(patched["effective_limits"]["max_daily_content"], 50)  # the tier's
        _, _, got = srv.admin("GET", f"/v1/admin/tenants/{t['id']}")
        self.assertEqual((got["limits"], got["effective_limits"]),
                         (patched["limits"], patched["effective_limits"]))
        _, _, listed = srv.admin("GET", "/v1/admin/tenants?limit=100")
        mine = [i for i in listed["items"] if i["id"] == t["id"]]
        self.assertEqual(mine[0]["limits"], patched["limits"])
        status, _, cleared = srv.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                       {"limits": {"requests_per_hour": None}})
        self.assertEqual(status, 200, cleared)
        self.assertEqual(cleared["limits"], {"ai_model": "small"})
        self.assertEqual(cleared["effective_limits"]["requests_per_hour"], 2000)


class LoweredLimitCases:
    """A growth tenant that used 90 of its 2000 and is lowered to 5/hour has used 4.5 % of its
    burst: it keeps about 95 % of the new one (3 more after the first), instead of being told
    to come back in hours."""

    def test_lowered_limit_keeps_the_fraction_of_the_burst_used(self):
        srv = self.server
        t, tok = srv.new_tenant_with_token("growth")
        for i in range(90):
            status, headers, _ = srv.request("GET", "/v1/tenant", token=tok)
            self.assertEqual(status, 200)
        self.assertEqual(headers["x-ratelimit-remaining"], str(2000 - 90))
        self.assertEqual(srv.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                   {"limits": {"requests_per_hour": 5}})[0], 200)
        answers = [srv.request("GET", "/v1/tenant", token=tok) for _ in range(5)]
        self.assertEqual([a[0] for a in answers], [200, 200, 200, 200, 429],
                         [(a[0], a[1].get("retry-after")) for a in answers])
        self.assertEqual(answers[0][1]["x-ratelimit-limit"], "5")
        self.assertEqual([a[1]["x-ratelimit-remaining"] for a in answers[:4]],
                         ["3", "2", "1", "0"])
        # the wait is what is over the burst (about the 162 s used before), never hours
        retry = int(answers[4][1]["retry-after"])
        self.assertGreaterEqual(retry, 1)
        self.assertLessEqual(retry, 170, answers[4][1])


class InProcessConventionsTest(ConventionCases, LoweredLimitCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("http_conv")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()


class RedisLoweredLimitTest(LoweredLimitCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        url = cls.redis_url()
        cls.db = fresh_database("http_conv_redis")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env=redis_env(url))

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()


class FileCases:
    """GET/HEAD /v1/files/{key}: validators, ranges, streaming; run per storage backend."""

    LARGE = 5 * MiB + 12345  # several storage pieces (local 256 KiB, S3 1 MiB), odd tail

    @classmethod
    def put_fixtures(cls):
        srv = cls.server
        cls.t, cls.tok = srv.new_tenant_with_token("growth")
        cls.small = b"0123456789abcdefghij"
        status, _, cls.small_info = srv.request("PUT", "/v1/files/r/small.txt", cls.small,
                                                token=cls.tok,
                                                headers={"Content-Type": "text/plain"})
        assert status == 201, (status, cls.small_info)
        cls.large = b"".join(pattern(i, MiB) for i in range(6))[:cls.LARGE]
        status, _, cls.large_info = srv.request("PUT", "/v1/files/r/large.bin", cls.large,
                                                token=cls.tok, timeout=120)
        assert status == 201, (status, cls.large_info)
        status, _, _ = srv.request("PUT", "/v1/files/r/empty", b"", token=cls.tok)
        assert status == 201, status

    def get(self, key, headers=None, method="GET"):
        return self.server.request(method, "/v1/files/" + key, token=self.tok,
                                   headers=headers, timeout=120)

    def test_strong_etag_and_if_none_match(self):
        status, headers, body = self.get("r/small.txt")
        self.assertEqual((status, body), (200, self.small))
        etag = headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]{32}(-\d+)?"$', "a strong, quoted ETag")
        self.assertEqual(etag, self.small_info["etag"])
        self.assertEqual(headers["accept-ranges"], "bytes")
        self.assertEqual(headers["content-type"], "text/plain")
        for inm in (etag, f'"nope", {etag}', "W/" + etag, "*"):
            for method in ("GET", "HEAD"):
                status, h, body = self.get("r/small.txt", {"If-None-Match": inm}, method)
                self.assertEqual(status, 304, (method, inm, body))
                self.assertIsNone(body)
                self.assertEqual(h["etag"], etag)
                self.assertNotIn("content-length", h)
                for rl in RL_HEADERS:
                    self.assertIn(rl, h)
        status, _, body = self.get("r/small.txt", {"If-None-Match": '"other"'})
        self.assertEqual((status, body), (200, self.small))
        status, _, body = self.get("r/missing.txt", {"If-None-Match": "*"})
        assert_error(status, body, 404, "not_found")

    def test_single_ranges(self):
        n = len(self.small)
        for spec, first, last in (("0-4", 0, 4), ("5-", 5, n - 1), ("-3", n - 3, n - 1),
                                  ("10-1000", 10, n - 1), ("-1000", 0, n - 1), ("7-7", 7, 7)):
            status, headers, body = self.get("r/small.txt", {"Range": f"bytes={spec}"})
            self.assertEqual(status, 206, (spec, body))
            self.assertEqual(body, self.small[first:last + 1], spec)
            self.assertEqual(headers["content-range"], f"bytes {first}-{last}/{n}")
            self.assertEqual(int(headers["content-length"]), last - first + 1)
            self.assertEqual(headers["etag"], self.small_info["etag"])
            self.assertEqual(headers["content-type"], "text/plain")

    def test_unsatisfiable_ranges_are_416_with_the_size(self):
        n = len(self.small)
        for key, size, spec in (("r/small.txt", n, f"bytes={n}-"),
                                ("r/small.txt", n, "bytes=1000-2000"),
                                ("r/small.txt", n, "bytes=-0"),
                                ("r/empty", 0, "bytes=0-"),
                                ("r/empty", 0, "bytes=-5")):
            status, headers, body = self.get(key, {"Range": spec})
            self.assertEqual(status, 416, (key, spec, body))
            self.assertEqual(body["error"]["code"], "invalid_request")
            self.assertEqual(headers["content-range"], f"bytes */{size}")

    def test_ignored_ranges_give_the_whole_object(self):
        for spec in ("bytes=0-1,4-5", "items=0-3", "bytes=abc", "bytes=5-1"):
            status, headers, body = self.get("r/small.txt", {"Range": spec})
            self.assertEqual((status, body), (200, self.small), spec)
            self.assertNotIn("content-range", headers)
        # If-Range with a stale tag: the client's piece is outdated, send it all
        status, _, body = self.get("r/small.txt", {"Range": "bytes=0-1", "If-Range": '"old"'})
        self.assertEqual((status, body), (200, self.small))
        status, _, body = self.get("r/small.txt", {"Range": "bytes=0-1",
                                                   "If-Range": self.small_info["etag"]})
        self.assertEqual((status, body), (206, self.small[:2]))

    def test_empty_object(self):
        status, headers, body = self.get("r/empty")
        self.assertEqual(status, 200)
        self.assertIsNone(body)
        self.assertEqual(headers["content-length"], "0")
        self.assertEqual(self.get("r/empty", method="HEAD")[1]["content-length"], "0")

    def test_large_object_streams_whole_and_by_range(self):
        status, headers, body = self.get("r/large.bin")
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["content-length"]), self.LARGE)
        self.assertEqual(hashlib.sha256(body).hexdigest(), hashlib.sha256(self.large).hexdigest())
        # ranges that start and end inside pieces and cross several of their boundaries
        for first, last in ((0, 0), (MiB - 5, MiB + 5), (256 * 1024 - 1, 3 * MiB + 7),
                            (self.LARGE - 10, self.LARGE - 1), (1, self.LARGE - 2)):
            status, headers, body = self.get("r/large.bin", {"Range": f"bytes={first}-{last}"})
            self.assertEqual(status, 206, (first, last))
            self.assertEqual(headers["content-range"], f"bytes {first}-{last}/{self.LARGE}")
            self.assertEqual(len(body), last - first + 1)
            self.assertTrue(body == self.large[first:last + 1], (first, last))
        status, headers, body = self.get("r/large.bin", {"Range": "bytes=-100"})
        self.assertEqual((status, body), (206, self.large[-100:]))

    def test_head_of_an_object(self):
        status, headers, body = self.get("r/large.bin", method="HEAD")
        self.assertEqual((status, body), (200, None))
        self.assertEqual(int(headers["content-length"]), self.LARGE)
        self.assertEqual(headers["etag"], self.large_info["etag"])
        status, headers, _ = self.get("r/large.bin", {"Range": "bytes=10-19"}, method="HEAD")
        self.assertEqual(status, 206)
        self.assertEqual(headers["content-range"], f"bytes 10-19/{self.LARGE}")
        self.assertEqual(headers["content-length"], "10")
        status, headers, body = self.get("r/none", method="HEAD")
        self.assertEqual(status, 404)
        self.assertIsNone(body)

    def test_another_tenants_object_is_not_found_by_any_of_these(self):
        _, other = self.server.new_tenant_with_token("starter")
        for headers in (None, {"Range": "bytes=0-1"}, {"If-None-Match": "*"}):
            status, _, body = self.server.request("GET", "/v1/files/r/small.txt", token=other,
                                                  headers=headers)
            assert_error(status, body, 404, "not_found", repr(headers))


class LocalFilesConventionsTest(FileCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("http_conv_files")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        cls.put_fixtures()

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def test_a_slow_download_of_a_large_object_holds_one_piece_not_the_object(self):
        """A 24 MiB download read slowly: the server's resident memory grows by far less than
        the object (it reads 256 KiB pieces as the socket drains)."""
        size = 24 * MiB
        data = b"".join(pattern(i, MiB) for i in range(24))
        status, _, _ = self.server.request("PUT", "/v1/files/r/big24.bin", data, token=self.tok,
                                           timeout=120)
        self.assertEqual(status, 201)
        pid = self.server.proc.pid

        def rss():
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
            raise AssertionError("no VmRSS")

        baseline = rss()
        peak = [baseline]
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=60) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            s.sendall(f"GET /v1/files/r/big24.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      f"{self.tok}\r\nConnection: close\r\n\r\n".encode())
            got = b""
            digest = hashlib.sha256()
            received = 0
            head_done = False
            while True:
                chunk = s.recv(64 * 1024)
                if not chunk:
                    break
                if not head_done:
                    got += chunk
                    if b"\r\n\r\n" in got:
                        head, _, rest = got.partition(b"\r\n\r\n")
                        self.assertIn(b" 200 ", head.split(b"\r\n")[0])
                        digest.update(rest)
                        received += len(rest)
                        head_done = True
                    continue
                digest.update(chunk)
                received += len(chunk)
                if received % (2 * MiB) < 64 * 1024:
                    peak[0] = max(peak[0], rss())
                    time.sleep(0.02)  # a slow reader: the server must wait, not buffer ahead
        self.assertEqual(received, size)
        self.assertEqual(digest.hexdigest(), hashlib.sha256(data).hexdigest())
        growth = peak[0] - baseline
        if os.environ.get("AUTOBLOG_SANITIZER") != "asan":
            self.assertLess(growth, 12 * MiB,
                            f"RSS grew by {growth / MiB:.1f} MiB during a 24 MiB download")


class S3FilesConventionsTest(FileCases, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        endpoint = shared_s3_endpoint()
        if endpoint is None:
            S3rver.require()
            s3 = S3rver()
            cls.addClassCleanup(s3.cleanup)
            s3.start()
            endpoint = s3.endpoint
        cls.db = fresh_database("http_conv_s3")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env=s3_env(endpoint))
        cls.put_fixtures()

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()


if __name__ == "__main__":
    unittest.main(verbosity=2)
