"""E2E: hostile and malformed input never crashes the server; ops endpoints (health, metrics,
OpenAPI). docs/api.md and docs/architecture.md."""
import json
import re
import select
import socket
import time
import unittest
import urllib.parse

from harness import (E2ETestCase, assert_error, drop_database, fresh_database, q,
                     random_uuid)

MAX_BODY = 65536


class BadInputTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("badinput")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env={"AUTOBLOG_MAX_BODY_BYTES": str(MAX_BODY)})
        # growth tier (2000 requests/hour): this module sends a few hundred requests
        cls.tenant_json, cls.token = cls.server.new_tenant_with_token("growth")
        status, _, cls.item = cls.server.request("POST", "/v1/content",
                                                 {"inspiration_data": {"x": 1}}, token=cls.token)
        assert status == 201, (status, cls.item)

    @classmethod
    def tearDownClass(cls):
        # everything below must have left the server alive and healthy
        if cls.server is not None and cls.server.alive():
            status, _, body = cls.server.request("GET", "/health")
            assert status == 200, (status, body)
        cls.stop_server_checked()

    def tenant(self, method, path, body=None, **kw):
        return self.req(method, path, body, token=self.token, **kw)

    def assertAlive(self):
        self.assertTrue(self.server.alive(), "server process died\n" + self.server.logs())
        status, _, body = self.req("GET", "/health")
        self.assertEqual(status, 200, body)

    # ---- JSON bodies

    def test_malformed_json(self):
        for raw in (b'{"inspiration_data": ', b"{,}", b"{'a': 1}", b'{"a" 1}', b"nul",
                    b'{"inspiration_data": {}} trailing', b"\xff\xfe\x00garbage",
                    b'{"inspiration_data": {"a": "\xc3\x28"}}', b"{" * 10000):
            with self.subTest(raw=raw[:40]):
                self.assertError(self.tenant("POST", "/v1/content", raw), 400, "invalid_request")
                self.assertError(self.admin("POST", "/v1/admin/tenants", raw), 400,
                                 "invalid_request")
        self.assertAlive()

    def test_nul_characters_never_truncate(self):
        """A NUL (\\u0000) inside a JSON string is refused (400) or kept verbatim; it must never
        be cut off silently at the NUL (C-string handling) or turn into a 500."""
        def refused_or_verbatim(resp, get, expected, why):
            status, _, body = resp
            if status == 400:
                assert_error(status, body, 400, "invalid_request", why)
                return
            self.assertIn(status, (200, 201), f"{why}: {body!r}")
            self.assertEqual(get(body), expected, f"{why}: value changed")

        name = "nul\u0000tail"
        refused_or_verbatim(self.admin("POST", "/v1/admin/tenants", {"name": name}),
                            lambda b: b["name"], name, "tenant name on create")
        t = self.server.create_tenant("nul-target")
        path = f"/v1/admin/tenants/{t['id']}"
        refused_or_verbatim(self.admin("PATCH", path, {"name": "\u0000evil"}),
                            lambda b: b["name"], "\u0000evil", "tenant name on patch")
        status, _, got = self.admin("GET", path)
        self.assertIn(got["name"], ("nul-target", "\u0000evil"),
                      "a refused or verbatim name; never a truncated one")
        refused_or_verbatim(self.tenant("POST", "/v1/content",
                                        {"inspiration_data": {"a": "x\u0000y"}}),
                            lambda b: b["inspiration_data"], {"a": "x\u0000y"},
                            "inspiration_data value")
        refused_or_verbatim(self.tenant("PUT", "/v1/brand",
                                        {"voice_tone": {"k\u0000": 1}, "topics": ["\u0000"]}),
                            lambda b: (b["voice_tone"], b["topics"]),
                            ({"k\u0000": 1}, ["\u0000"]), "brand")

    def test_empty_body(self):
        self.assertError(self.tenant("POST", "/v1/content", b""), 400, "invalid_request")
        self.assertError(self.tenant("PUT", "/v1/brand", b""), 400, "invalid_request")

    def test_not_an_object(self):
        for body in ([], [{"inspiration_data": {}}], "x", 42, None, True):
            raw = json.dumps(body)
            with self.subTest(body=raw):
                self.assertError(self.tenant("POST", "/v1/content", raw), 400, "invalid_request")
                self.assertError(self.tenant("PUT", "/v1/brand", raw), 400, "invalid_request")
                self.assertError(self.admin("POST", "/v1/admin/tenants", raw), 400,
                                 "invalid_request")
                self.assertError(self.tenant("PATCH", f"/v1/content/{self.item['id']}", raw),
                                 400, "invalid_request")

    def test_wrong_field_types(self):
        cases = [
            ("POST", "/v1/content", {"inspiration_data": "x"}),
            ("POST", "/v1/content", {"inspiration_data": 5}),
            ("POST", "/v1/content", {"inspiration_data": {}, "content_brief": []}),
            ("PUT", "/v1/brand", {"voice_tone": {}, "topics": {}}),
            ("PUT", "/v1/brand", {"voice_tone": "x", "topics": []}),
            ("PATCH", f"/v1/content/{self.item['id']}", {"status": 1}),
            ("PATCH", f"/v1/content/{self.item['id']}", {"content_brief": "x"}),
            ("POST", f"/v1/content/{self.item['id']}/performance", {"metrics": []}),
        ]
        for method, path, body in cases:
            with self.subTest(method=method, path=path, body=body):
                self.assertError(self.tenant(method, path, body), 400, "invalid_request")
        for body in ({"name": ["x"]}, {"name": "x", "domain": 5},
                     {"name": "x", "subscription_tier": None}):
            with self.subTest(admin_body=body):
                self.assertError(self.admin("POST", "/v1/admin/tenants", body), 400,
                                 "invalid_request")

    def test_unknown_field_is_named(self):
        cases = [
            (self.tenant, "POST", "/v1/content", {"inspiration_data": {}, "surprise_field": 1}),
            (self.tenant, "PUT", "/v1/brand", {"voice_tone": {}, "topics": [],
                                               "surprise_field": 1}),
            (self.tenant, "PATCH", f"/v1/content/{self.item['id']}", {"surprise_field": 1}),
            (self.admin, "POST", "/v1/admin/tenants", {"name": "x", "surprise_field": 1}),
        ]
        for call, method, path, body in cases:
            with self.subTest(method=method, path=path):
                status, _, resp = call(method, path, body)
                self.assertError((status, None, resp), 400, "invalid_request")
                self.assertIn("surprise_field", resp["error"]["message"],
                              "the message should name the unknown field")

    def test_body_too_large(self):
        filler = "a" * 70000
        body = json.dumps({"inspiration_data": {"x": filler}}).encode()
        self.assertGreater(len(body), MAX_BODY)
        for method, path, tok in (("POST", "/v1/content", self.token),
                                  ("POST", "/v1/admin/tenants", self.server.admin_token)):
            with self.subTest(path=path):
                status, resp = self._send_oversize(method, path, body, tok)
                self.assertEqual(status, 413, resp)
                payload = resp.partition(b"\r\n\r\n")[2]
                assert_error(413, json.loads(payload), 413, "payload_too_large")
        # just under the limit is fine
        ok_body = json.dumps({"inspiration_data": {"x": "b" * (MAX_BODY - 100)}})
        self.assertLessEqual(len(ok_body), MAX_BODY)
        status, _, item = self.tenant("POST", "/v1/content", ok_body)
        self.assertEqual(status, 201, str(item)[:200])
        self.assertAlive()

    def _send_oversize(self, method, path, body, token):
        """Sends headers first; reads an early 413 if the server answers from Content-Length,
        otherwise sends the body and reads the answer. Returns (status, raw response)."""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            s.sendall(head)
            ready, _, _ = select.select([s], [], [], 1.0)
            if not ready:
                try:
                    s.sendall(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            data = b""
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
                h, sep, rest = data.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", h)
                if sep and m and len(rest) >= int(m.group(1)):
                    break
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return (int(m.group(1)) if m else None), data

    def test_content_type(self):
        body = json.dumps({"inspiration_data": {"ct": 1}})
        for ct in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
            with self.subTest(ct=ct):
                self.assertError(self.tenant("POST", "/v1/content", body,
                                             headers={"Content-Type": ct}),
                                 415, "unsupported_media_type")
                self.assertError(self.admin("POST", "/v1/admin/tenants", json.dumps(
                    {"name": "x"}), headers={"Content-Type": ct}), 415, "unsupported_media_type")
                self.assertError(self.tenant("PUT", "/v1/brand", json.dumps(
                    {"voice_tone": {}, "topics": []}), headers={"Content-Type": ct}),
                    415, "unsupported_media_type")
        status, _, item = self.tenant("POST", "/v1/content", body,
                                      headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(status, 201, item)

    # ---- paths, methods, query parameters

    def test_bad_uuids(self):
        for raw_bad in ("not-a-uuid", "123", "' OR 1=1 --", "';--",
                        "00000000-0000-0000-0000-00000000000g", random_uuid() + "0"):
            bad = urllib.parse.quote(raw_bad, safe="")
            with self.subTest(bad=bad):
                self.assertError(self.tenant("GET", f"/v1/content/{bad}"), 400,
                                 "invalid_request")
                self.assertError(self.tenant("PATCH", f"/v1/content/{bad}",
                                             {"content_brief": {}}), 400, "invalid_request")
                self.assertError(self.tenant("DELETE", f"/v1/content/{bad}"), 400,
                                 "invalid_request")
                self.assertError(self.tenant("GET", f"/v1/content/{bad}/performance"), 400,
                                 "invalid_request")
                self.assertError(self.admin("GET", f"/v1/admin/tenants/{bad}"), 400,
                                 "invalid_request")
                self.assertError(self.admin("POST", f"/v1/admin/tenants/{bad}/tokens", {}),
                                 400, "invalid_request")
        self.assertError(self.admin("GET", "/v1/admin/tenants/123"), 400, "invalid_request")

    def test_unknown_routes(self):
        for path in ("/v1/nope", "/nope", "/v1/content/" + random_uuid() + "/nope", "/v2/tenant",
                     "/v1/admin/nope", "/" + "x" * 2000):
            with self.subTest(path=path[:60]):
                self.assertError(self.tenant("GET", path), 404, "not_found")
        self.assertError(self.req("GET", "/v1/nope"), 404, "not_found")

    def test_wrong_method(self):
        for method, path, call in (("PUT", "/v1/tenant", self.tenant),
                                   ("DELETE", "/v1/brand", self.tenant),
                                   ("PUT", "/v1/content", self.tenant),
                                   ("POST", f"/v1/content/{self.item['id']}", self.tenant),
                                   ("PUT", "/v1/admin/tenants", self.admin),
                                   ("POST", "/health", self.tenant)):
            with self.subTest(method=method, path=path):
                body = {} if method in ("PUT", "POST", "PATCH") else None
                status, headers, resp = call(method, path, body)
                self.assertError((status, headers, resp), 405, "invalid_request")
                self.assertIn("allow", headers, "405 must carry an Allow header")
                self.assertNotIn(method, [m.strip() for m in headers["allow"].split(",")])

    def test_bad_query_params(self):
        for params in ({"limit": "abc"}, {"limit": "1.5"}, {"limit": "-1"},
                       {"limit": "0"}, {"limit": "101"}, {"limit": "99999999999999999999"},
                       {"cursor": "%%%"}, {"status": "nope"}):
            with self.subTest(params=params):
                self.assertError(self.tenant("GET", q("/v1/content", **params)), 400,
                                 "invalid_request")
        self.assertError(self.admin("GET", q("/v1/admin/tenants", limit="abc")), 400,
                         "invalid_request")

    def test_malformed_percent_escapes_in_the_query(self):
        """A malformed escape is a 400 from the server itself, never a guess ("%-1" once parsed
        as the byte 0xFF); '+' is a space and %XX in either case is fine."""
        for query in ("status=%-1", "status=%zz", "status=%", "status=%4", "limit=%+1",
                      "x=1&status=%G0", "%=draft"):
            with self.subTest(query=query):
                self.assertError(self.tenant("GET", "/v1/content?" + query), 400,
                                 "invalid_request")
        for query in ("status=%66ailed", "status=%66%61%69%6C%65%64", "limit=%32",
                      "x=a+b&limit=2"):
            with self.subTest(query=query):
                self.assertStatus(self.tenant("GET", "/v1/content?" + query), 200)

    def test_echoed_query_values_stay_valid_utf8_json(self):
        """%FF is a well-formed escape of a byte that is not UTF-8: the unknown status is a 400
        whose body is valid UTF-8 JSON, whatever part of the value it quotes."""
        for value in ("%FF", "%C3", "%ED%A0%80", "draft%FF", "%00%1B[31m", "x" * 5000 + "%FF"):
            with self.subTest(value=value[:20]):
                raw = self.server.raw(
                    f"GET /v1/content?status={value} HTTP/1.1\r\nHost: x\r\n"
                    f"Authorization: Bearer {self.token}\r\nConnection: close\r\n\r\n"
                    .encode(), timeout=10)
                head, _, body = raw.partition(b"\r\n\r\n")
                self.assertRegex(head, rb"^HTTP/1\.1 400 ", raw[:300])
                if b"transfer-encoding: chunked" in head.lower():
                    self.fail(f"expected a Content-Length body: {head!r}")
                text = body.decode("utf-8")  # strict: raises on invalid UTF-8
                doc = json.loads(text)
                self.assertEqual(doc["error"]["code"], "invalid_request", doc)
                self.assertLess(len(body), 2000, "a huge value must not be echoed whole")
        self.assertAlive()

    # ---- raw socket abuse

    def _raw_ok(self, payload, why):
        try:
            resp = self.server.raw(payload, timeout=10)
        except socket.timeout as e:
            self.fail(f"{why}: neither an answer nor a close within 10 s ({e})")
        if resp:
            m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
            self.assertTrue(m, f"{why}: not an HTTP response: {resp[:200]!r}")
            self.assertTrue(400 <= int(m.group(1)) < 500, f"{why}: {resp[:300]!r}")
        self.assertAlive()

    def test_raw_garbage(self):
        self._raw_ok(b"\x00\x01\x02\xff\xfegarbage garbage\r\n\r\n", "binary garbage")
        self._raw_ok(b"HELLO\r\n\r\n", "no HTTP version")
        self._raw_ok(b"GET / HTTP/9.9\r\n\r\n", "bad version")
        self._raw_ok(b"GET /health HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "negative length")
        self._raw_ok(b"POST /v1/content HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     b"Content-Type: application/json\r\n\r\nzz\r\n", "bad chunk")
        self._raw_ok(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 200,
                     "TLS client hello")

    def test_raw_huge_headers(self):
        self._raw_ok(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n",
                     "20 KB header")
        self._raw_ok(b"GET /health?" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                     "20 KB request line")
        self._raw_ok(b"GET /health HTTP/1.1\r\nHost: x\r\n" +
                     b"".join(b"X-H%d: v\r\n" % i for i in range(2000)) + b"\r\n",
                     "2000 headers")

    def test_half_request_then_close(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(b"POST /v1/content HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                      b"Content-Type: application/json\r\n\r\n{\"inspiration_data\"")
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            s.close()
        self.assertAlive()

    # ---- ops endpoints

    def test_health(self):
        status, headers, body = self.req("GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body, {"status": "ok"})
        self.assertIn("application/json", headers.get("content-type", ""))

    def test_ready(self):
        status, _, body = self.req("GET", "/health/ready")
        self.assertEqual(status, 200, body)
        self.assertIsInstance(body, dict)
        text = json.dumps(body)
        self.assertIn("database", text, "readiness should name its dependencies")
        leaves = []

        def walk(v, key=None):
            if isinstance(v, dict):
                for k, x in v.items():
                    walk(x, k)
            elif isinstance(v, list):
                for x in v:
                    walk(x, key)
            else:
                leaves.append((key, v))
        walk(body)
        for key, v in leaves:
            self.assertIn(v, ("ok", "fail", "ready"),
                          f"readiness must say ok/fail only, got {key}={v!r}")

    def test_metrics_use_route_templates(self):
        cid = self.item["id"]
        status, _, _ = self.tenant("GET", f"/v1/content/{cid}")
        self.assertEqual(status, 200)
        status, headers, raw = self.req("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertIn("text/plain", headers.get("content-type", ""))
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        self.assertIn("autoblog_tenant_requests_total{", text)
        lines = [l for l in text.splitlines()
                 if l.startswith("autoblog_tenant_requests_total{")]
        self.assertTrue(any('endpoint="/v1/content/{id}"' in l and
                            f'tenant_id="{self.tenant_json["id"]}"' in l and 'status="200"' in l
                            for l in lines), "\n".join(lines[:50]))
        self.assertFalse(any(f"/v1/content/{cid}" in l for l in text.splitlines()),
                         "a raw content path appears in /metrics")

    def test_openapi(self):
        status, _, doc = self.req("GET", "/openapi.json")
        self.assertEqual(status, 200)
        self.assertIsInstance(doc, dict, "openapi.json must be a JSON object")
        self.assertIsInstance(doc.get("openapi"), str)
        self.assertTrue(doc["openapi"].startswith("3."), doc.get("openapi"))
        self.assertIsInstance(doc.get("paths"), dict)
        norm = {}
        for p, ops in doc["paths"].items():
            norm[re.sub(r"\{[^}]+\}", "{}", p)] = {m.lower() for m in ops}
        expected = {
            "/v1/admin/tenants": {"get", "post"},
            "/v1/admin/tenants/{}": {"get", "patch", "delete"},
            "/v1/admin/tenants/{}/tokens": {"post"},
            "/v1/tenant": {"get"},
            "/v1/brand": {"get", "put"},
            "/v1/content": {"get", "post"},
            "/v1/content/{}": {"get", "patch", "delete"},
            "/v1/content/{}/performance": {"get", "post"},
            "/health": {"get"},
            "/health/ready": {"get"},
            "/metrics": {"get"},
        }
        # /health/tenant/{id} only if the server implements it (the isolation test tolerates
        # its absence too)
        status, _, _ = self.tenant("GET", f"/health/tenant/{self.tenant_json['id']}")
        if status != 404:
            expected["/health/tenant/{}"] = {"get"}
        for path, methods in expected.items():
            with self.subTest(path=path):
                self.assertIn(path, norm, f"OpenAPI has no path {path}")
                self.assertTrue(methods <= norm[path],
                                f"{path}: missing methods {methods - norm[path]}")


class LoggingTest(E2ETestCase):
    """docs/architecture.md: one JSON object per line with ts, level, msg (+ request_id, tenant_id where
    known) and an access log line per request; secrets never appear in logs."""

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("logging")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env={"AUTOBLOG_LOG_LEVEL": "info",
                                                   "AUTOBLOG_ACCESS_LOG": "1"})

    def test_json_lines_access_log_and_no_secrets(self):
        srv = self.server
        t, token = srv.new_tenant_with_token()
        status, _, item = srv.request("POST", "/v1/content", {"inspiration_data": {"l": 1}},
                                      token=token)
        self.assertEqual(status, 201, item)
        self.assertEqual(srv.request("GET", f"/v1/content/{item['id']}", token=token)[0], 200)
        self.assertEqual(srv.request("GET", "/v1/tenant", token="bad.token.here")[0], 401)
        srv.stop()
        # a restart on the already-migrated database must log JSON too (no raw libpq NOTICEs)
        srv.start()
        self.assertEqual(srv.request("GET", "/v1/tenant", token=token)[0], 200)
        srv.stop()
        lines = [l for l in srv.read_output().splitlines()
                 if l.strip() and not l.startswith("==== start")]
        self.assertTrue(lines, "no log output at info level")
        records, not_json = [], []
        for line in lines:
            try:
                rec = json.loads(line)
            except ValueError:
                not_json.append(line)
                continue
            self.assertIsInstance(rec, dict, line)
            for key in ("ts", "level", "msg"):
                self.assertIn(key, rec, f"log line without {key}: {line}")
            records.append(rec)
        access = [r for r in records if r.get("request_id") and
                  f"/v1/content/{item['id']}" in json.dumps(r)]
        self.assertTrue(access, "no access log line for GET /v1/content/{id}")
        self.assertTrue(any(r.get("tenant_id") == t["id"] for r in access),
                        f"access line without the tenant_id: {access}")
        text = "\n".join(lines)
        for name, secret in (("admin token", srv.admin_token), ("JWT secret", srv.jwt_secret),
                             ("tenant JWT", token), ("JWT signature", token.split(".")[2])):
            self.assertNotIn(secret, text, f"the {name} appears in the logs")
        self.assertEqual(not_json, [], "log lines that are not JSON objects")


if __name__ == "__main__":
    unittest.main()
