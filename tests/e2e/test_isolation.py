"""E2E: tenant isolation (docs/api.md and docs/architecture.md); user strings are stored verbatim."""
import threading
import unittest

from harness import E2ETestCase, drop_database, fresh_database, psql, q, random_uuid

BRAND = {"voice_tone": {"style": "bold"}, "topics": ["cycling", "gravel"],
         "visual_style": {"mood": "outdoor"}, "seo_strategy": {"keywords": ["gravel bike"]}}
CONTENT_BODIES = [
    {"inspiration_data": {"title": "Same idea", "url": "https://example.com/a"}},
    {"inspiration_data": {"title": "Same idea 2"}, "content_brief": {"angle": "same"}},
    {"inspiration_data": {"title": "Same idea 3", "n": 3}},
]

NASTY = [
    "'; DROP TABLE content_pipelines; --",
    "\" OR 1=1 --",
    "' OR '1'='1",
    "tenant_x\".content_pipelines",
    "autoblog_core.tenants; DELETE FROM autoblog_core.tenants; --",
    "ünï😀 中文 ‮rtl",
    "$1",
    "$$ language plpgsql $$",
    "%s %d %n %x",
    "{{7*7}} ${7*7}",
    "\\x00 \\u0000 back\\slash",
    "line\nbreak\ttab\r",
    "\u2028\u2029",
    "?",
    "",
]


class IsolationTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("isolation")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        srv = cls.server
        # growth tier (2000 requests/hour) so that rate limiting never interferes
        cls.a, cls.ta = srv.new_tenant_with_token("growth", name="Tenant A")
        cls.b, cls.tb = srv.new_tenant_with_token("growth", name="Tenant B")
        cls.items = {}
        cls.perf = {}
        for who, tok in (("a", cls.ta), ("b", cls.tb)):
            status, _, body = srv.request("PUT", "/v1/brand", BRAND, token=tok)
            assert status in (200, 201), (status, body)
            cls.items[who] = []
            cls.perf[who] = []
            for body in CONTENT_BODIES:
                status, _, item = srv.request("POST", "/v1/content", body, token=tok)
                assert status == 201, (status, item)
                cls.items[who].append(item)
                status, _, rec = srv.request("POST", f"/v1/content/{item['id']}/performance",
                                             {"metrics": {"views": 5}}, token=tok)
                assert status == 201, (status, rec)
                cls.perf[who].append(rec)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def ids(self, who):
        return {i["id"] for i in self.items[who]}

    def snapshot(self, token, ids):
        snap = {}
        for cid in ids:
            status, _, item = self.req("GET", f"/v1/content/{cid}", token=token)
            self.assertEqual(status, 200, item)
            status, _, perf = self.req("GET", f"/v1/content/{cid}/performance", token=token)
            self.assertEqual(status, 200, perf)
            snap[cid] = (item, sorted(perf["items"], key=lambda r: r["id"]))
        status, _, brand = self.req("GET", "/v1/brand", token=token)
        self.assertEqual(status, 200, brand)
        snap["brand"] = brand
        return snap

    def test_lists_are_disjoint(self):
        for me, tok, other in (("a", self.ta, "b"), ("b", self.tb, "a")):
            with self.subTest(tenant=me):
                items, _ = self.walk_list("/v1/content", tok, limit=100)
                got = {i["id"] for i in items}
                self.assertEqual(got, self.ids(me) | self._extra_ids(me))
                self.assertFalse(got & self.ids(other), "other tenant's content is visible")
                for item in self.items[me]:
                    status, _, perf = self.req("GET", f"/v1/content/{item['id']}/performance",
                                               token=tok)
                    self.assertEqual(status, 200, perf)
                    self.assertTrue(all(r["content_id"] == item["id"] for r in perf["items"]))
                    other_perf = {r["id"] for r in self.perf[other]}
                    self.assertFalse({r["id"] for r in perf["items"]} & other_perf)
                status, _, me_json = self.req("GET", "/v1/tenant", token=tok)
                self.assertEqual(me_json["id"], getattr(self, me)["id"])

    def test_rows_live_in_each_tenants_own_schema(self):
        for who in ("a", "b"):
            schema = getattr(self, who)["schema_name"]
            ids = psql(self.db, "SELECT string_agg(id::text, ',') "
                                f'FROM "{schema}".content_pipelines')
            stored = set(ids.split(",")) if ids else set()
            self.assertTrue(self.ids(who) <= stored, f"{who}'s content is not in {schema}")
            other = "b" if who == "a" else "a"
            self.assertFalse(stored & self.ids(other), f"{schema} holds the other tenant's rows")

    def _extra_ids(self, who):
        # content created by the injection test (which may run earlier) belongs to its tenant
        return getattr(self, "_created_extra", {}).get(who, set())

    def test_cross_tenant_ids_are_not_found(self):
        before = self.snapshot(self.tb, self.ids("b"))
        for item in self.items["b"]:
            cid = item["id"]
            attempts = [
                ("GET", f"/v1/content/{cid}", None),
                ("PATCH", f"/v1/content/{cid}", {"content_brief": {"hijacked": True}}),
                ("PATCH", f"/v1/content/{cid}", {"status": "archived"}),
                ("PATCH", f"/v1/content/{cid}", {"generated_content": {"title": "pwned"}}),
                ("DELETE", f"/v1/content/{cid}", None),
                ("POST", f"/v1/content/{cid}/performance", {"metrics": {"views": 999}}),
                ("GET", f"/v1/content/{cid}/performance", None),
                ("POST", f"/v1/content/{cid}/generate", None),
                ("POST", f"/v1/content/{cid}/approve", None),
                ("POST", f"/v1/content/{cid}/publish", {}),
            ]
            for method, path, body in attempts:
                with self.subTest(method=method, path=path, body=body):
                    if body is None and method == "POST":
                        body = {}
                    self.assertError(self.req(method, path, body, token=self.ta), 404,
                                     "not_found", f"A -> {method} {path}")
        after = self.snapshot(self.tb, self.ids("b"))
        self.assertEqual(after, before, "B's data changed after A's attempts")
        # and A with its own ids still works (the 404s above are not a blanket failure)
        a_item = self.items["a"][0]
        status, _, got = self.req("GET", f"/v1/content/{a_item['id']}", token=self.ta)
        self.assertEqual(status, 200, got)

    def test_concurrent_requests_never_cross(self):
        """Both tenants hammer the shared connection pool at once; every answer belongs to the
        caller (a leaked search_path would show up here)."""
        errors, created = [], {"a": set(), "b": set()}
        lock = threading.Lock()

        def worker(who, token, n):
            c = self.server.client()
            mine = set()
            try:
                for i in range(n):
                    status, _, item = c.request("POST", "/v1/content",
                                                {"inspiration_data": {"who": who, "i": i}},
                                                token=token)
                    if status != 201:
                        errors.append(f"{who} POST {status} {item}")
                        continue
                    mine.add(item["id"])
                    status, _, got = c.request("GET", f"/v1/content/{item['id']}", token=token)
                    if status != 200 or got["inspiration_data"].get("who") != who:
                        errors.append(f"{who} GET own item: {status} {got}")
                    status, _, lst = c.request("GET", "/v1/content?limit=100", token=token)
                    if status != 200:
                        errors.append(f"{who} list {status} {lst}")
                        continue
                    foreign = [x for x in lst["items"]
                               if x["inspiration_data"].get("who") not in (None, who)
                               or x["id"] in created["b" if who == "a" else "a"]]
                    if foreign:
                        errors.append(f"{who} saw foreign items {foreign[:2]}")
                    status, _, me = c.request("GET", "/v1/tenant", token=token)
                    if status != 200 or me["id"] != getattr(self, who)["id"]:
                        errors.append(f"{who} GET /v1/tenant {status} {me}")
            except Exception as e:  # surface thread failures in the main thread
                errors.append(f"{who} exception {e!r}")
            finally:
                with lock:
                    created[who] |= mine
                c._close_conn()

        threads = [threading.Thread(target=worker, args=(who, tok, 8))
                   for who, tok in (("a", self.ta), ("b", self.tb)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        extra = getattr(self.__class__, "_created_extra", None)
        if extra is None:
            extra = self.__class__._created_extra = {"a": set()}
        extra.setdefault("a", set()).update(created["a"])
        extra.setdefault("b", set()).update(created["b"])
        for who in ("a", "b"):
            schema = getattr(self, who)["schema_name"]
            rows = psql(self.db, "SELECT string_agg(id::text, ',') "
                                 f'FROM "{schema}".content_pipelines')
            stored = set(rows.split(",")) if rows else set()
            self.assertTrue(created[who] <= stored, f"{who}'s new rows are not in {schema}")
            self.assertFalse(created["b" if who == "a" else "a"] & stored,
                             f"{schema} holds rows created by the other tenant")

    def test_tenant_health_probe(self):
        self.assertError(self.req("GET", f"/health/tenant/{self.b['id']}", token=self.ta), 404,
                         "not_found", "A probing B's health")
        self.assertError(self.req("GET", f"/health/tenant/{random_uuid()}", token=self.ta), 404,
                         "not_found", "A probing a random tenant's health")
        status, _, body = self.req("GET", f"/health/tenant/{self.a['id']}", token=self.ta)
        if status == 404:
            self.skipTest("/health/tenant/{id} is not implemented (404 for the caller too)")
        self.assertIn(status, (200, 503), body)
        self.assertEqual(body.get("tenant_id"), self.a["id"])
        self.assertIn(body.get("status"), ("healthy", "degraded"))
        self.assertEqual(set(body.get("checks", {})), {"database", "cache", "storage",
                                                       "ai_quota"}, body)

    def test_token_decides_tenant(self):
        hdrs = {"X-Tenant-ID": self.b["id"], "X-Tenant": self.b["id"],
                "Host": "tenant-b.example.com"}
        status, _, me = self.req("GET", q("/v1/tenant", tenant_id=self.b["id"]), token=self.ta,
                                 headers=hdrs)
        self.assertEqual(status, 200, me)
        self.assertEqual(me["id"], self.a["id"])
        status, _, body = self.req("GET", q("/v1/content", tenant_id=self.b["id"], limit=100),
                                   token=self.ta, headers=hdrs)
        self.assertEqual(status, 200, body)
        self.assertFalse({i["id"] for i in body["items"]} & self.ids("b"))

    # ---- injection strings travel verbatim

    def test_injection_strings_verbatim(self):
        srv = self.server
        extra = getattr(self.__class__, "_created_extra", None)
        if extra is None:
            extra = self.__class__._created_extra = {"a": set()}
        extra.setdefault("a", set())
        b_before = self.snapshot(self.tb, self.ids("b"))

        # tenant names (and domains, which may legitimately be refused by validation)
        for s in NASTY:
            if not s:
                continue  # empty names may legitimately be refused
            with self.subTest(field="tenant.name", value=s):
                status, _, t = self.admin("POST", "/v1/admin/tenants", {"name": s})
                if status == 400 and any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
                                         or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069
                                         or c in "\u2028\u2029\u200e\u200f" for c in s):
                    # refusing control and bidi characters in a display name is legitimate
                    # validation (docs/api.md, "Admin API": names and domains)
                    self.assertError((status, None, t), 400, "invalid_request")
                    continue
                self.assertEqual(status, 201, t)
                self.assertEqual(t["name"], s)
                status, _, got = self.admin("GET", f"/v1/admin/tenants/{t['id']}")
                self.assertEqual(got["name"], s)
                status, _, p = self.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                          {"name": s + s})
                self.assertEqual(status, 200, p)
                self.assertEqual(p["name"], s + s)
            with self.subTest(field="tenant.domain", value=s):
                status, _, t2 = self.admin("POST", "/v1/admin/tenants",
                                           {"name": "dom", "domain": s})
                if status == 400:
                    self.assertError((status, None, t2), 400, "invalid_request")
                else:
                    self.assertEqual(status, 201, t2)
                    self.assertEqual(t2["domain"], s)
                    status, _, got = self.admin("GET", f"/v1/admin/tenants/{t2['id']}")
                    self.assertEqual(got["domain"], s)

        # brand fields
        brand = {
            "voice_tone": {"style": NASTY[0], **{s: s for s in NASTY}},
            "topics": list(NASTY),
            "visual_style": {"nested": {s: [s, {s: s}] for s in NASTY}},
            "seo_strategy": {"keywords": list(NASTY), NASTY[1]: NASTY[2]},
        }
        status, _, got = self.req("PUT", "/v1/brand", brand, token=self.ta)
        self.assertIn(status, (200, 201), got)
        status, _, got = self.req("GET", "/v1/brand", token=self.ta)
        self.assertEqual(status, 200, got)
        for k, v in brand.items():
            self.assertEqual(got.get(k), v, f"brand.{k} not verbatim")

        # content fields and performance metrics
        for s in NASTY:
            with self.subTest(field="content", value=s):
                body = {"inspiration_data": {s: s, "title": s, "list": [s], "deep": {s: {s: s}}},
                        "content_brief": {"angle": s, s: [s, s]}}
                status, _, item = self.req("POST", "/v1/content", body, token=self.ta)
                self.assertEqual(status, 201, item)
                extra["a"].add(item["id"])
                self.assertEqual(item["inspiration_data"], body["inspiration_data"])
                self.assertEqual(item["content_brief"], body["content_brief"])
                path = f"/v1/content/{item['id']}"
                gen = {"title": s, "body_markdown": f"# {s}\n\n{s}", s: s}
                status, _, p = self.req("PATCH", path, {"generated_content": gen,
                                                        "content_brief": {s: s}},
                                        token=self.ta)
                self.assertEqual(status, 200, p)
                status, _, got = self.req("GET", path, token=self.ta)
                self.assertEqual(status, 200, got)
                self.assertEqual(got["inspiration_data"], body["inspiration_data"])
                self.assertEqual(got["content_brief"], {s: s})
                self.assertEqual(got["generated_content"], gen)
                metrics = {s: 1, "note": s, "nested": {s: [s]}}
                status, _, rec = self.req("POST", path + "/performance", {"metrics": metrics},
                                          token=self.ta)
                self.assertEqual(status, 201, rec)
                self.assertEqual(rec["metrics"], metrics)
                status, _, perf = self.req("GET", path + "/performance", token=self.ta)
                self.assertEqual([r["metrics"] for r in perf["items"]], [metrics])
                # the string as a query parameter value is just a bad/unknown filter
                status, _, lst = self.req("GET", q("/v1/content", status=s or "x"),
                                          token=self.ta)
                self.assertIn(status, (200, 400), lst)
                if status == 400:
                    self.assertError((status, None, lst), 400, "invalid_request")

        # the other tenant and the database are intact
        b_after = self.snapshot(self.tb, self.ids("b"))
        self.assertEqual(b_after, b_before)
        items, _ = self.walk_list("/v1/content", self.tb, limit=100)
        self.assertEqual({i["id"] for i in items}, self.ids("b") | self._extra_ids("b"))
        tables = psql(self.db, "SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = 'content_pipelines'")
        self.assertGreaterEqual(int(tables), 2)
        tenants = psql(self.db, "SELECT count(*) FROM autoblog_core.tenants")
        self.assertGreaterEqual(int(tenants), 2)
        self.assertEqual(self.req("GET", "/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
