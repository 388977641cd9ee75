"""E2E: tenant API (tenant, brand, content, performance) and JWT validation — docs/api.md."""
import secrets
import time
import unittest

from harness import (CONTENT_KEYS, PERFORMANCE_KEYS, UUID_RE, E2ETestCase, drop_database,
                     fresh_database, make_jwt, now_utc, parse_ts, q, random_uuid)

BRAND = {
    "voice_tone": {"style": "friendly", "formality": "casual", "traits": ["witty", "clear"]},
    "topics": ["coffee", "espresso machines", "latte art"],
    "visual_style": {"palette": ["#331100", "#ffeecc"], "mood": "warm"},
    "seo_strategy": {"keywords": ["best espresso", "coffee beans"], "target_density": 1.5},
}

STARTER_LIMITS = {"requests_per_hour": 500, "max_concurrent_generations": 1,
                  "max_daily_content": 10, "ai_model": "gpt-4o-mini",
                  "image_quality": "standard"}


class TenantApiTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("tenant")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        cls.tenant, cls.token = cls.server.new_tenant_with_token("starter", name="Main Tenant")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def fresh_tenant(self, tier="starter"):
        return self.server.new_tenant_with_token(tier)

    def create_content(self, token, body=None, expect=201):
        body = body if body is not None else {"inspiration_data": {"idea": secrets.token_hex(4)}}
        status, _, item = self.req("POST", "/v1/content", body, token=token)
        self.assertEqual(status, expect, item)
        return item

    def check_item(self, item):
        self.assertIsInstance(item, dict)
        self.assertEqual(set(item), CONTENT_KEYS, f"content item keys: {item!r}")
        self.assertRegex(item["id"], UUID_RE)
        parse_ts(item["created_at"])
        parse_ts(item["updated_at"])
        if item["published_at"] is not None:
            parse_ts(item["published_at"])

    # ---- GET /v1/tenant

    def test_get_tenant(self):
        status, headers, me = self.req("GET", "/v1/tenant", token=self.token)
        self.assertEqual(status, 200, me)
        self.assertEqual(me["id"], self.tenant["id"])
        self.assertEqual(me["name"], "Main Tenant")
        self.assertEqual(me["subscription_tier"], "starter")
        self.assertEqual(me["status"], "active")
        self.assertEqual(me["schema_name"], self.tenant["schema_name"])
        self.assertEqual(set(me), {"id", "name", "domain", "schema_name", "status",
                                   "subscription_tier", "created_at", "updated_at", "limits",
                                   "usage"}, me)
        self.assertIsInstance(me["usage"], dict)
        for k, v in STARTER_LIMITS.items():
            self.assertEqual(me["limits"].get(k), v, f"limit {k}: {me['limits']!r}")

    def test_rate_limit_headers(self):
        # docs/api.md rate limits: every tenant response carries the X-RateLimit-* headers
        for method, path in (("GET", "/v1/tenant"), ("GET", "/v1/content")):
            status, headers, body = self.req(method, path, token=self.token)
            self.assertEqual(status, 200, body)
            for h in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
                self.assertIn(h, headers, f"{method} {path}: missing {h} header")
            self.assertEqual(headers["x-ratelimit-limit"], "500")
            self.assertLessEqual(int(headers["x-ratelimit-remaining"]), 500)

    def test_growth_limits(self):
        t, tok = self.fresh_tenant("growth")
        status, _, me = self.req("GET", "/v1/tenant", token=tok)
        self.assertEqual(status, 200, me)
        for k, v in {"requests_per_hour": 2000, "max_concurrent_generations": 3,
                     "max_daily_content": 50, "ai_model": "gpt-4o",
                     "image_quality": "hd"}.items():
            self.assertEqual(me["limits"].get(k), v, f"limit {k}: {me['limits']!r}")

    # ---- brand

    def test_brand_lifecycle(self):
        _, tok = self.fresh_tenant()
        self.assertError(self.req("GET", "/v1/brand", token=tok), 404, "not_found",
                         "GET /v1/brand before PUT")
        status, _, b = self.req("PUT", "/v1/brand", BRAND, token=tok)
        self.assertIn(status, (200, 201), b)
        for k, v in BRAND.items():
            self.assertEqual(b.get(k), v, f"PUT response field {k}")
        status, _, got = self.req("GET", "/v1/brand", token=tok)
        self.assertEqual(status, 200, got)
        for k, v in BRAND.items():
            self.assertEqual(got.get(k), v, f"GET field {k}")
        # a second PUT replaces the whole config: visual_style disappears
        second = {"voice_tone": {"style": "formal"}, "topics": ["tea"],
                  "publishing_config": {"auto_publish": False}}
        status, _, b2 = self.req("PUT", "/v1/brand", second, token=tok)
        self.assertEqual(status, 200, b2)
        status, _, got = self.req("GET", "/v1/brand", token=tok)
        self.assertEqual(status, 200, got)
        self.assertEqual(got["voice_tone"], second["voice_tone"])
        self.assertEqual(got["topics"], second["topics"])
        self.assertIsNone(got.get("visual_style"), "PUT must replace, not merge")
        self.assertIsNone(got.get("seo_strategy"), "PUT must replace, not merge")

    def test_brand_validation(self):
        _, tok = self.fresh_tenant()
        cases = [
            ({"topics": ["a"]}, "missing voice_tone"),
            ({"voice_tone": {}}, "missing topics"),
            ({"voice_tone": "friendly", "topics": ["a"]}, "voice_tone not an object"),
            ({"voice_tone": ["friendly"], "topics": ["a"]}, "voice_tone an array"),
            ({"voice_tone": {}, "topics": {}}, "topics an object"),
            ({"voice_tone": {}, "topics": "coffee"}, "topics a string"),
            ({"voice_tone": None, "topics": []}, "voice_tone null"),
            ({"voice_tone": {}, "topics": [], "unknown_field": 1}, "unknown field"),
        ]
        for body, why in cases:
            with self.subTest(why=why):
                self.assertError(self.req("PUT", "/v1/brand", body, token=tok), 400,
                                 "invalid_request", why)
        self.assertError(self.req("GET", "/v1/brand", token=tok), 404, "not_found",
                         "failed PUTs must not create a brand")

    # ---- content

    def test_content_create(self):
        _, tok = self.fresh_tenant()
        insp = {"source": "rss", "title": "Ten ways to brew", "tags": ["a", "b"], "score": 7}
        status, headers, item = self.req("POST", "/v1/content", {"inspiration_data": insp},
                                         token=tok)
        self.assertEqual(status, 201, item)
        self.check_item(item)
        self.assertEqual(item["status"], "inspiration")
        self.assertEqual(item["inspiration_data"], insp)
        for k in ("content_brief", "generated_content", "published_at"):
            self.assertIsNone(item[k], k)
        age = abs((now_utc() - parse_ts(item["created_at"])).total_seconds())
        self.assertLess(age, 120)

        brief = {"angle": "beginners", "length": 1200, "keywords": ["brew"]}
        item2 = self.create_content(tok, {"inspiration_data": insp, "content_brief": brief})
        self.check_item(item2)
        self.assertEqual(item2["status"], "briefed")
        self.assertEqual(item2["content_brief"], brief)
        self.assertNotEqual(item["id"], item2["id"])

        status, _, got = self.req("GET", f"/v1/content/{item['id']}", token=tok)
        self.assertEqual(status, 200, got)
        self.assertEqual(got, item)

    def test_content_create_invalid(self):
        _, tok = self.fresh_tenant()
        for body, why in (({}, "missing inspiration_data"),
                          ({"inspiration_data": "x"}, "inspiration_data a string"),
                          ({"inspiration_data": [1]}, "inspiration_data an array"),
                          ({"inspiration_data": {}, "content_brief": "x"}, "brief a string"),
                          ({"inspiration_data": {}, "status": "published"}, "status on create"),
                          ({"inspiration_data": {}, "id": random_uuid()}, "id on create")):
            with self.subTest(why=why):
                self.assertError(self.req("POST", "/v1/content", body, token=tok), 400,
                                 "invalid_request", why)
        status, _, body = self.req("GET", "/v1/content", token=tok)
        self.assertEqual(body["items"], [], "failed POSTs must not create content")

    def test_content_list_pagination_and_filter(self):
        _, tok = self.fresh_tenant()
        created = []
        for i in range(5):
            created.append(self.create_content(tok, {"inspiration_data": {"n": i}})["id"])
            time.sleep(0.005)
        briefed = [self.create_content(tok, {"inspiration_data": {"n": 10 + i},
                                             "content_brief": {"b": i}})["id"]
                   for i in range(2)]
        items, sizes = self.walk_list("/v1/content", tok, limit=2)
        ids = [i["id"] for i in items]
        self.assertEqual(len(ids), len(set(ids)), f"duplicates: {ids}")
        self.assertEqual(ids, list(reversed(created + briefed)), "newest first, all items")
        self.assertEqual(sizes, [2, 2, 2, 1])
        for item in items:
            self.check_item(item)

        items, _ = self.walk_list("/v1/content", tok, limit=2, status="briefed")
        self.assertEqual([i["id"] for i in items], list(reversed(briefed)))
        self.assertTrue(all(i["status"] == "briefed" for i in items))
        items, _ = self.walk_list("/v1/content", tok, limit=100, status="inspiration")
        self.assertEqual([i["id"] for i in items], list(reversed(created)))
        items, _ = self.walk_list("/v1/content", tok, limit=100, status="published")
        self.assertEqual(items, [])

        status, _, body = self.req("GET", "/v1/content", token=tok)
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["items"]), 7)
        self.assertIsNone(body["next_cursor"])

        for params in ({"status": "bogus"}, {"limit": 0}, {"limit": 101}, {"limit": "abc"},
                       {"cursor": "not-a-cursor"}):
            with self.subTest(params=params):
                self.assertError(self.req("GET", q("/v1/content", **params), token=tok), 400,
                                 "invalid_request")

    def test_content_default_limit(self):
        _, tok = self.fresh_tenant("growth")
        for i in range(21):
            self.create_content(tok, {"inspiration_data": {"n": i}})
        status, _, body = self.req("GET", "/v1/content", token=tok)
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["items"]), 20, "default limit is 20")
        self.assertIsInstance(body["next_cursor"], str)
        status, _, rest = self.req("GET", q("/v1/content", cursor=body["next_cursor"]),
                                   token=tok)
        self.assertEqual(status, 200, rest)
        self.assertEqual(len(rest["items"]), 1)
        self.assertIsNone(rest["next_cursor"])

    def test_content_patch(self):
        _, tok = self.fresh_tenant()
        item = self.create_content(tok)
        path = f"/v1/content/{item['id']}"
        brief = {"angle": "experts", "keywords": ["crema"]}
        time.sleep(0.01)
        status, _, p = self.req("PATCH", path, {"content_brief": brief}, token=tok)
        self.assertEqual(status, 200, p)
        self.check_item(p)
        self.assertEqual(p["content_brief"], brief)
        self.assertEqual(p["inspiration_data"], item["inspiration_data"])
        self.assertGreater(parse_ts(p["updated_at"]), parse_ts(item["updated_at"]))
        self.assertEqual(p["created_at"], item["created_at"])

        gen = {"title": "Crema 101", "slug": "crema-101", "body_markdown": "# Crema\n\nText."}
        status, _, p2 = self.req("PATCH", path, {"generated_content": gen}, token=tok)
        self.assertEqual(status, 200, p2)
        self.assertEqual(p2["generated_content"], gen)
        self.assertEqual(p2["content_brief"], brief)

        status, _, got = self.req("GET", path, token=tok)
        self.assertEqual(got, p2)

        for body, why in (({"content_brief": "x"}, "brief a string"),
                          ({"generated_content": [1]}, "generated_content an array"),
                          ({"inspiration_data": {}, "bogus": 1}, "unknown field"),
                          ({"status": 5}, "status not a string")):
            with self.subTest(why=why):
                self.assertError(self.req("PATCH", path, body, token=tok), 400,
                                 "invalid_request", why)
        self.assertError(self.req("PATCH", f"/v1/content/{random_uuid()}",
                                  {"content_brief": {}}, token=tok), 404, "not_found")

    def test_status_transitions(self):
        _, tok = self.fresh_tenant()
        a = self.create_content(tok)
        path = f"/v1/content/{a['id']}"
        status, _, p = self.req("PATCH", path, {"status": "briefed"}, token=tok)
        self.assertEqual(status, 200, p)
        self.assertEqual(p["status"], "briefed")
        status, _, p = self.req("PATCH", path, {"status": "archived"}, token=tok)
        self.assertEqual(status, 200, p)
        self.assertEqual(p["status"], "archived")
        self.assertError(self.req("PATCH", path, {"status": "briefed"}, token=tok), 409,
                         "conflict", "archived -> briefed")
        self.assertEqual(self.req("GET", path, token=tok)[2]["status"], "archived")

        b = self.create_content(tok)
        bpath = f"/v1/content/{b['id']}"
        for target in ("published", "generated", "approved", "scheduled"):
            with self.subTest(target=target):
                self.assertError(self.req("PATCH", bpath, {"status": target}, token=tok), 409,
                                 "conflict", f"inspiration -> {target}")
        self.assertError(self.req("PATCH", bpath, {"status": "bogus"}, token=tok), 400,
                         "invalid_request", "unknown status value")
        self.assertError(self.req("PATCH", bpath, {"status": "deleted"}, token=tok), 400,
                         "invalid_request", "unknown status value")
        status, _, got = self.req("GET", bpath, token=tok)
        self.assertEqual(got, b, "refused transitions must not change the item")

    def test_content_delete(self):
        _, tok = self.fresh_tenant()
        item = self.create_content(tok)
        other = self.create_content(tok)
        path = f"/v1/content/{item['id']}"
        status, _, body = self.req("DELETE", path, token=tok)
        self.assertEqual(status, 204, body)
        self.assertIsNone(body)
        self.assertError(self.req("GET", path, token=tok), 404, "not_found")
        self.assertError(self.req("DELETE", path, token=tok), 404, "not_found")
        self.assertError(self.req("PATCH", path, {"content_brief": {}}, token=tok), 404,
                         "not_found")
        items, _ = self.walk_list("/v1/content", tok, limit=100)
        self.assertEqual([i["id"] for i in items], [other["id"]])

    def test_performance(self):
        _, tok = self.fresh_tenant()
        item = self.create_content(tok)
        path = f"/v1/content/{item['id']}/performance"
        metrics = {"views": 120, "clicks": 7, "ctr": 0.058, "sources": {"google": 100}}
        status, _, rec = self.req("POST", path, {"metrics": metrics}, token=tok)
        self.assertEqual(status, 201, rec)
        self.assertEqual(set(rec), PERFORMANCE_KEYS, rec)
        self.assertRegex(rec["id"], UUID_RE)
        self.assertEqual(rec["content_id"], item["id"])
        self.assertEqual(rec["metrics"], metrics)
        parse_ts(rec["tracked_at"])

        tracked_at = "2024-05-01T12:00:00Z"
        status, _, rec2 = self.req("POST", path, {"metrics": {"views": 1},
                                                   "tracked_at": tracked_at}, token=tok)
        self.assertEqual(status, 201, rec2)
        self.assertEqual(parse_ts(rec2["tracked_at"]), parse_ts(tracked_at))

        status, _, body = self.req("GET", path, token=tok)
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body), {"items", "next_cursor"}, body)
        self.assertEqual(sorted(r["id"] for r in body["items"]), sorted([rec["id"], rec2["id"]]))
        for r in body["items"]:
            self.assertEqual(set(r), PERFORMANCE_KEYS, r)
            self.assertEqual(r["content_id"], item["id"])

        for bad, why in (({}, "missing metrics"), ({"metrics": "x"}, "metrics a string"),
                         ({"metrics": {}, "tracked_at": "yesterday"}, "bad timestamp"),
                         ({"metrics": {}, "bogus": 1}, "unknown field")):
            with self.subTest(why=why):
                self.assertError(self.req("POST", path, bad, token=tok), 400, "invalid_request",
                                 why)

        missing = f"/v1/content/{random_uuid()}/performance"
        self.assertError(self.req("POST", missing, {"metrics": {"views": 1}}, token=tok), 404,
                         "not_found")
        self.assertError(self.req("GET", missing, token=tok), 404, "not_found")

    def test_performance_timestamps_within_years_1_to_9999(self):
        """Found by the OpenAPI fuzzer: an offset that moved tracked_at before year 1 was stored
        as 1 BC and answered as year 1 (its era lost); one past 9999 was answered with a
        five-digit year, which is no RFC 3339. Both are refused now, naming the field; the
        edges themselves are stored and answered exactly."""
        _, tok = self.fresh_tenant()
        item = self.create_content(tok)
        path = f"/v1/content/{item['id']}/performance"
        for sent, stored in (("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"),
                             ("0001-01-01T00:00:00-01:00", "0001-01-01T01:00:00.000000Z"),
                             ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000000Z"),
                             ("9999-12-31T23:00:00+15:00", "9999-12-31T08:00:00.000000Z")):
            with self.subTest(sent=sent):
                status, _, rec = self.req("POST", path, {"metrics": {}, "tracked_at": sent},
                                          token=tok)
                self.assertEqual(status, 201, rec)
                self.assertEqual(rec["tracked_at"], stored)
        for bad in ("0001-01-01T00:00:00+01:00", "0000-12-31T23:59:59Z",
                    "9999-12-31T23:00:00-15:00", "9999-12-31T23:59:59.9999999Z"):
            with self.subTest(bad=bad):
                status, _, body = self.req("POST", path, {"metrics": {}, "tracked_at": bad},
                                           token=tok)
                self.assertError((status, None, body), 400, "invalid_request")
                self.assertIn("tracked_at", body["error"]["message"])

    # ---- JWT validation (against GET /v1/tenant)

    def test_jwt_edge_cases(self):
        secret = self.server.jwt_secret
        tid = self.tenant["id"]
        now = int(time.time())
        good = {"tenant_id": tid, "exp": now + 600, "iat": now}
        # sanity: a correctly crafted token is accepted, so the rejections below are meaningful
        status, _, me = self.req("GET", "/v1/tenant", token=make_jwt(secret, good))
        self.assertEqual(status, 200, f"self-made HS256 token refused: {me!r}")
        self.assertEqual(me["id"], tid)

        sig_of_good = make_jwt(secret, good).split(".")[2]
        cases_401 = {
            "no header": {"headers": {}},
            "bearer without token": {"headers": {"Authorization": "Bearer"}},
            "bearer garbage": {"token": "garbage"},
            "bearer three garbage parts": {"token": "aaa.bbb.ccc"},
            "basic scheme": {"headers": {"Authorization": "Basic dXNlcjpwYXNz"}},
            "alg none": {"token": make_jwt(secret, good, alg="none")},
            "alg none with signature": {
                "token": make_jwt(secret, good, alg="none").rstrip(".") + "." + sig_of_good},
            "HS512 right secret": {"token": make_jwt(secret, good, alg="HS512")},
            "HS384 right secret": {"token": make_jwt(secret, good, alg="HS384")},
            "RS256 header, HMAC signature": {
                "token": make_jwt(secret, good, header_overrides={"alg": "RS256"})},
            "wrong secret": {"token": make_jwt(secret + "x", good)},
            "expired": {"token": make_jwt(secret, {**good, "exp": now - 120,
                                                   "iat": now - 3600})},
            "missing exp": {"token": make_jwt(secret, {"tenant_id": tid, "iat": now})},
            "exp as string": {"token": make_jwt(secret, {**good, "exp": str(now + 600)})},
            "missing tenant_id": {"token": make_jwt(secret, {"exp": now + 600, "iat": now})},
            "tenant_id not a uuid": {"token": make_jwt(secret, {**good, "tenant_id": "acme"})},
            "tenant_id sql": {"token": make_jwt(secret, {**good, "tenant_id": "' OR 1=1 --"})},
            "tampered payload": {"token": (lambda t: t.split(".")[0] + "." + make_jwt(
                secret, {**good, "tenant_id": random_uuid()}).split(".")[1] + "." +
                t.split(".")[2])(make_jwt(secret, good))},
            "admin token": None,  # handled below (403)
        }
        for why, kw in cases_401.items():
            if kw is None:
                continue
            with self.subTest(why=why):
                self.assertError(self.req("GET", "/v1/tenant", **kw), 401, "unauthorized", why)

        with self.subTest(why="valid signature, unknown tenant"):
            tok = make_jwt(secret, {**good, "tenant_id": random_uuid()})
            self.assertError(self.req("GET", "/v1/tenant", token=tok), 403, "forbidden")
        with self.subTest(why="admin token on tenant API"):
            self.assertError(self.req("GET", "/v1/tenant", token=self.server.admin_token), 403,
                             "forbidden")
            self.assertError(self.req("GET", "/v1/content", token=self.server.admin_token), 403,
                             "forbidden")
        with self.subTest(why="no token on other tenant routes"):
            for method, path, body in (("GET", "/v1/content", None),
                                       ("POST", "/v1/content", {"inspiration_data": {}}),
                                       ("GET", "/v1/brand", None),
                                       ("PUT", "/v1/brand", {"voice_tone": {}, "topics": []}),
                                       ("GET", f"/v1/content/{random_uuid()}", None)):
                self.assertError(self.req(method, path, body), 401, "unauthorized",
                                 f"{method} {path}")

    def test_tenant_cannot_be_overridden(self):
        other, _ = self.fresh_tenant()
        hdrs = {"X-Tenant-ID": other["id"], "X-Tenant": other["id"]}
        status, _, me = self.req("GET", q("/v1/tenant", tenant_id=other["id"]), token=self.token,
                                 headers=hdrs)
        self.assertEqual(status, 200, me)
        self.assertEqual(me["id"], self.tenant["id"])


if __name__ == "__main__":
    unittest.main()
