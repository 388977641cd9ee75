"""E2E: platform operator (admin) API — docs/api.md."""
import secrets
import time
import unittest

from harness import (ADMIN_TENANT_KEYS, SCHEMA_RE, UUID_RE, E2ETestCase, Server, drop_database,
                     fresh_database, jwt_claims, make_jwt, now_utc, parse_ts, psql, q,
                     random_uuid, wait_until)


def uniq(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


class AdminApiTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("admin")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def check_tenant_json(self, t, name=None, tier=None, domain=None, status="active"):
        self.assertIsInstance(t, dict)
        self.assertEqual(set(t), ADMIN_TENANT_KEYS, f"tenant JSON keys: {t!r}")
        self.assertRegex(t["id"], UUID_RE)
        self.assertRegex(t["schema_name"], SCHEMA_RE)
        self.assertEqual(t["schema_name"], "tenant_" + t["id"].replace("-", "_"))
        if name is not None:
            self.assertEqual(t["name"], name)
        if tier is not None:
            self.assertEqual(t["subscription_tier"], tier)
        self.assertEqual(t["domain"], domain)
        self.assertEqual(t["status"], status)
        created = parse_ts(t["created_at"])
        updated = parse_ts(t["updated_at"])
        self.assertLessEqual(created, updated)

    # ---- create

    def test_create_defaults_to_starter(self):
        name = uniq("Acme Blog")
        status, headers, t = self.admin("POST", "/v1/admin/tenants", {"name": name})
        self.assertEqual(status, 201, t)
        self.assertIn("application/json", headers.get("content-type", ""))
        self.check_tenant_json(t, name=name, tier="starter", domain=None)
        age = abs((now_utc() - parse_ts(t["created_at"])).total_seconds())
        self.assertLess(age, 120, "created_at should be about now")

    def test_create_makes_migrated_schema(self):
        t = self.server.create_tenant(uniq("Schema"))
        tables = psql(self.db, "SELECT string_agg(table_name, ',' ORDER BY table_name) "
                               "FROM information_schema.tables "
                               f"WHERE table_schema = '{t['schema_name']}'")
        for table in ("brand_configs", "content_performance", "content_pipelines"):
            self.assertIn(table, tables.split(","), f"schema {t['schema_name']}: {tables}")

    def test_create_with_tier_and_domain(self):
        for tier in ("starter", "growth", "enterprise"):
            with self.subTest(tier=tier):
                name, domain = uniq("Tiered"), uniq(tier) + ".example.com"
                status, _, t = self.admin("POST", "/v1/admin/tenants",
                                          {"name": name, "subscription_tier": tier,
                                           "domain": domain})
                self.assertEqual(status, 201, t)
                self.check_tenant_json(t, name=name, tier=tier, domain=domain)

    def test_create_invalid(self):
        cases = [
            ({"name": "x", "subscription_tier": "platinum"}, "invalid tier"),
            ({"name": "x", "subscription_tier": 3}, "tier not a string"),
            ({}, "missing name"),
            ({"name": ""}, "empty name"),
            ({"name": 42}, "name not a string"),
            ({"name": "x", "status": "active", "bogus": 1}, "unknown field"),
        ]
        for body, why in cases:
            with self.subTest(why=why):
                self.assertError(self.admin("POST", "/v1/admin/tenants", body), 400,
                                 "invalid_request", why)

    def test_get(self):
        t = self.server.create_tenant(uniq("Gettable"), tier="growth")
        status, _, got = self.admin("GET", f"/v1/admin/tenants/{t['id']}")
        self.assertEqual(status, 200, got)
        self.assertEqual(got, t)
        self.assertError(self.admin("GET", f"/v1/admin/tenants/{random_uuid()}"), 404,
                         "not_found")

    # ---- list

    def test_list_pagination(self):
        created = {self.server.create_tenant(uniq("Paged"))["id"] for _ in range(5)}
        items, sizes = self.walk_list("/v1/admin/tenants", self.server.admin_token, limit=2)
        ids = [t["id"] for t in items]
        self.assertEqual(len(ids), len(set(ids)), f"duplicates across pages: {ids}")
        self.assertTrue(created <= set(ids), f"missing tenants: {created - set(ids)}")
        self.assertGreaterEqual(len(sizes), 3)
        for t in items:
            self.assertEqual(set(t), ADMIN_TENANT_KEYS, t)
        # one page with everything agrees with the walk
        status, _, body = self.admin("GET", q("/v1/admin/tenants", limit=100))
        self.assertEqual(status, 200, body)
        if body["next_cursor"] is None:
            self.assertEqual(sorted(t["id"] for t in body["items"]), sorted(ids))
        # default limit works
        status, _, body = self.admin("GET", "/v1/admin/tenants")
        self.assertEqual(status, 200, body)
        self.assertLessEqual(len(body["items"]), 20)

    def test_list_bad_params(self):
        for params in ({"limit": 0}, {"limit": 101}, {"limit": -1}, {"limit": "abc"},
                       {"cursor": "garbage!!"}, {"cursor": "eyJub3QiOiJhIGN1cnNvciJ9"}):
            with self.subTest(params=params):
                self.assertError(self.admin("GET", q("/v1/admin/tenants", **params)), 400,
                                 "invalid_request")
        for limit in (1, 100):
            status, _, body = self.admin("GET", q("/v1/admin/tenants", limit=limit))
            self.assertEqual(status, 200, body)

    # ---- patch

    def test_patch_name_tier_status(self):
        t = self.server.create_tenant(uniq("Patchy"))
        path = f"/v1/admin/tenants/{t['id']}"
        new_name = uniq("Renamed")
        time.sleep(0.01)
        status, _, p = self.admin("PATCH", path, {"name": new_name})
        self.assertEqual(status, 200, p)
        self.check_tenant_json(p, name=new_name, tier="starter")
        self.assertEqual(p["created_at"], t["created_at"])
        self.assertGreater(parse_ts(p["updated_at"]), parse_ts(t["updated_at"]))

        status, _, p = self.admin("PATCH", path, {"subscription_tier": "enterprise"})
        self.assertEqual(status, 200, p)
        self.assertEqual(p["subscription_tier"], "enterprise")
        self.assertEqual(p["name"], new_name)

        status, _, p = self.admin("PATCH", path, {"status": "suspended"})
        self.assertEqual(status, 200, p)
        self.assertEqual(p["status"], "suspended")
        status, _, p = self.admin("PATCH", path, {"status": "active"})
        self.assertEqual(status, 200, p)
        self.assertEqual(p["status"], "active")

        status, _, got = self.admin("GET", path)
        self.assertEqual(got, p)

    def test_patch_invalid(self):
        t = self.server.create_tenant(uniq("BadPatch"))
        path = f"/v1/admin/tenants/{t['id']}"
        for body, why in (({"subscription_tier": "platinum"}, "invalid tier"),
                          ({"status": "deleted"}, "status deleted is not patchable"),
                          ({"status": "bogus"}, "unknown status"),
                          ({"name": None}, "null name"),
                          ({"schema_name": "tenant_x"}, "schema_name is not patchable"),
                          ({"id": random_uuid()}, "id is not patchable")):
            with self.subTest(why=why):
                self.assertError(self.admin("PATCH", path, body), 400, "invalid_request", why)
        status, _, got = self.admin("GET", path)
        self.assertEqual(got, t, "failed PATCHes must not change the tenant")
        self.assertError(self.admin("PATCH", f"/v1/admin/tenants/{random_uuid()}",
                                    {"name": "x"}), 404, "not_found")

    def test_domain_unique(self):
        domain = uniq("unique") + ".example.com"
        a = self.server.create_tenant(uniq("DomA"), domain=domain)
        self.assertEqual(a["domain"], domain)
        self.assertError(self.admin("POST", "/v1/admin/tenants",
                                    {"name": uniq("DomB"), "domain": domain}), 409, "conflict")
        b = self.server.create_tenant(uniq("DomB"), domain=uniq("other") + ".example.com")
        self.assertError(self.admin("PATCH", f"/v1/admin/tenants/{b['id']}", {"domain": domain}),
                         409, "conflict")
        status, _, got = self.admin("GET", f"/v1/admin/tenants/{b['id']}")
        self.assertEqual(got["domain"], b["domain"])
        # patching a tenant to its own domain is fine
        status, _, p = self.admin("PATCH", f"/v1/admin/tenants/{a['id']}", {"domain": domain})
        self.assertEqual(status, 200, p)

    # ---- names and domains (docs/api.md, "Admin API": names and domains)

    BAD_NAMES = [("nul\u0000x", "NUL"), ("esc\u001b[31mred", "ESC (C0)"), ("tab\tx", "tab"),
                 ("line\nbreak", "newline"), ("del\u007f", "DEL"), ("csi\u009b31m", "C1"),
                 ("inv\u202eexe.txt", "RLO override"), ("\u2066isolate\u2069", "isolate"),
                 ("lrm\u200ex", "LRM"), ("ls\u2028x", "line separator"), (" ", "blank"),
                 ("\u00a0\u3000", "blank (Unicode spaces)"), (" Acme", "leading space"),
                 ("Acme ", "trailing space"), ("\ud800x", "lone surrogate")]

    def test_names_with_control_bidi_or_padding_are_400(self):
        t = self.server.create_tenant(uniq("NameTarget"))
        path = f"/v1/admin/tenants/{t['id']}"
        for name, why in self.BAD_NAMES:
            with self.subTest(why=why):
                resp = self.admin("POST", "/v1/admin/tenants", {"name": name})
                self.assertError(resp, 400, "invalid_request", f"POST {why}")
                if why != "lone surrogate":  # that one the JSON parser already refuses
                    self.assertIn("name", resp[2]["error"]["message"])
                self.assertError(self.admin("PATCH", path, {"name": name}), 400,
                                 "invalid_request", f"PATCH {why}")
        # invalid UTF-8 in the body itself
        raw = b'{"name": "bad \xc3\x28 utf8"}'
        self.assertError(self.admin("POST", "/v1/admin/tenants", raw), 400, "invalid_request")
        self.assertError(self.admin("PATCH", path, raw), 400, "invalid_request")
        self.assertEqual(self.admin("GET", path)[2], t, "refused PATCHes changed the tenant")
        # ordinary Unicode names are kept exactly
        for name in ("Café Ünïcode", "日本語のブログ", "emoji \U0001f600 blog", "a  b"):
            status, _, p = self.admin("PATCH", path, {"name": name})
            self.assertEqual((status, p.get("name")), (200, name), p)

    def test_domains_are_rfc1123_hostnames(self):
        t = self.server.create_tenant(uniq("DomTarget"), domain=uniq("dt") + ".example.com")
        path = f"/v1/admin/tenants/{t['id']}"
        bad = [".", "..", "-", "a..b", "-a-.example", "a-.example", ".a.example", "a.example..",
               "localhost", "a_b.example", "x" * 64 + ".example", ("a" * 63 + ".") * 4 + "b",
               "127.0.0.1", "[::1]", "::1", "a.example:80", "bücher.example", "ex ample.com", ""]
        for domain in bad:
            with self.subTest(domain=domain[:30]):
                self.assertError(self.admin("POST", "/v1/admin/tenants",
                                            {"name": uniq("Dom"), "domain": domain}),
                                 400, "invalid_request", "POST")
                self.assertError(self.admin("PATCH", path, {"domain": domain}), 400,
                                 "invalid_request", "PATCH")
        resp = self.admin("PATCH", path, {"domain": "bücher.example"})
        self.assertIn("punycode", resp[2]["error"]["message"])
        self.assertEqual(self.admin("GET", path)[2], t, "refused PATCHes changed the tenant")
        # stored in canonical form: lower case, without the root dot
        base = uniq("canon")
        status, _, p = self.admin("PATCH", path, {"domain": base.upper() + ".Example.COM."})
        self.assertEqual((status, p.get("domain")), (200, base + ".example.com"), p)
        # ... so every other spelling of that host is the same domain: 409
        for spelling in (base + ".example.com.", base.upper() + ".EXAMPLE.COM",
                         base + ".example.com"):
            with self.subTest(spelling=spelling):
                self.assertError(self.admin("POST", "/v1/admin/tenants",
                                            {"name": uniq("Dup"), "domain": spelling}),
                                 409, "conflict")
        other = self.server.create_tenant(uniq("Other"))
        self.assertError(self.admin("PATCH", f"/v1/admin/tenants/{other['id']}",
                                    {"domain": base + ".example.com."}), 409, "conflict")
        status, _, p = self.admin("PATCH", path, {"domain": "xn--bcher-kva.example"})
        self.assertEqual((status, p.get("domain")), (200, "xn--bcher-kva.example"), p)

    # ---- delete

    def test_delete(self):
        t = self.server.create_tenant(uniq("Doomed"))
        path = f"/v1/admin/tenants/{t['id']}"
        status, _, body = self.admin("DELETE", path)
        self.assertEqual(status, 204, body)
        self.assertIsNone(body)
        self.assertError(self.admin("GET", path), 404, "not_found")
        self.assertError(self.admin("DELETE", path), 404, "not_found")
        self.assertError(self.admin("PATCH", path, {"name": "x"}), 404, "not_found")
        self.assertError(self.admin("POST", path + "/tokens", {}), 404, "not_found")
        items, _ = self.walk_list("/v1/admin/tenants", self.server.admin_token, limit=100)
        self.assertNotIn(t["id"], [i["id"] for i in items], "deleted tenant still listed")
        self.assertError(self.admin("DELETE", f"/v1/admin/tenants/{random_uuid()}"), 404,
                         "not_found")
        left = psql(self.db, "SELECT count(*) FROM information_schema.schemata "
                             f"WHERE schema_name = '{t['schema_name']}'")
        self.assertEqual(left, "0", "DELETE must drop the tenant's schema")

    # ---- tokens

    def test_token_default_ttl(self):
        t = self.server.create_tenant(uniq("Tokened"))
        before = now_utc()
        status, _, body = self.admin("POST", f"/v1/admin/tenants/{t['id']}/tokens", {})
        self.assertEqual(status, 201, body)
        self.assertEqual(set(body), {"token", "jti", "expires_at"}, body)
        exp = parse_ts(body["expires_at"])
        delta = (exp - before).total_seconds()
        self.assertTrue(3600 - 60 <= delta <= 3600 + 60, f"expires_at {exp} is not ~now+3600")
        claims = jwt_claims(body["token"])
        self.assertEqual(claims.get("tenant_id"), t["id"], claims)
        self.assertIsInstance(claims.get("exp"), int, claims)
        self.assertLessEqual(abs(claims["exp"] - exp.timestamp()), 1.5)
        # the token works on the tenant API
        status, _, me = self.req("GET", "/v1/tenant", token=body["token"])
        self.assertEqual(status, 200, me)
        self.assertEqual(me["id"], t["id"])

    def test_token_ttl_bounds(self):
        t = self.server.create_tenant(uniq("Ttl"))
        path = f"/v1/admin/tenants/{t['id']}/tokens"
        for ttl in (0, -5, 2592001, "600", 1.5):
            with self.subTest(ttl=ttl):
                self.assertError(self.admin("POST", path, {"ttl_seconds": ttl}), 400,
                                 "invalid_request")
        for ttl in (1, 600, 2592000):
            with self.subTest(ttl=ttl):
                before = now_utc()
                status, _, body = self.admin("POST", path, {"ttl_seconds": ttl})
                self.assertEqual(status, 201, body)
                delta = (parse_ts(body["expires_at"]) - before).total_seconds()
                self.assertTrue(ttl - 60 <= delta <= ttl + 60, (ttl, delta))
        self.assertError(self.admin("POST", f"/v1/admin/tenants/{random_uuid()}/tokens", {}),
                         404, "not_found")

    def test_token_expiry_enforced(self):
        t = self.server.create_tenant(uniq("ShortLived"))
        token = self.server.tenant_token(t["id"], ttl_seconds=1)
        self.assertStatus(self.req("GET", "/v1/tenant", token=token), 200)
        time.sleep(2.2)
        self.assertError(self.req("GET", "/v1/tenant", token=token), 401, "unauthorized",
                         "token past its ttl")

    # ---- per-tenant limit overrides

    def test_patch_limits(self):
        t = self.server.create_tenant(uniq("Limited"), tier="starter")
        token = self.server.tenant_token(t["id"])
        path = f"/v1/admin/tenants/{t['id']}"
        status, _, p = self.admin("PATCH", path, {"limits": {"requests_per_hour": 42,
                                                             "max_daily_content": 3,
                                                             "ai_model": "gpt-4o"}})
        self.assertEqual(status, 200, p)
        self.assertEqual(set(p), ADMIN_TENANT_KEYS, p)

        def limits():
            return self.req("GET", "/v1/tenant", token=token)[2]["limits"]
        got = wait_until(lambda: (lambda l: l if l.get("requests_per_hour") == 42 else None)(
            limits()), 2.0)
        self.assertIsNotNone(got, f"override not visible: {limits()}")
        self.assertEqual(got["max_daily_content"], 3)
        self.assertEqual(got["ai_model"], "gpt-4o")
        self.assertEqual(got["max_concurrent_generations"], 1, "untouched limits keep the tier's")
        self.assertEqual(got["image_quality"], "standard")

        status, _, p = self.admin("PATCH", path, {"limits": {"requests_per_hour": None}})
        self.assertEqual(status, 200, p)
        got = wait_until(lambda: (lambda l: l if l.get("requests_per_hour") == 500 else None)(
            limits()), 2.0)
        self.assertIsNotNone(got, f"null did not clear the override: {limits()}")
        self.assertEqual(got["max_daily_content"], 3, "clearing one override keeps the others")

        # tier change keeps overrides, other limits follow the new tier
        self.assertStatus(self.admin("PATCH", path, {"subscription_tier": "growth"}), 200)
        got = wait_until(lambda: (lambda l: l if l.get("requests_per_hour") == 2000 else None)(
            limits()), 2.0)
        self.assertIsNotNone(got, f"tier change not visible: {limits()}")
        self.assertEqual(got["max_daily_content"], 3)
        self.assertEqual(got["image_quality"], "hd")

        for bad in ({"requests_per_hour": -1}, {"requests_per_hour": "many"},
                    {"image_quality": "ultra"}, {"bogus_limit": 1}, "x"):
            with self.subTest(limits=bad):
                self.assertError(self.admin("PATCH", path, {"limits": bad}), 400,
                                 "invalid_request")

    def test_changes_reach_other_nodes_within_a_second(self):
        """docs/api.md: PATCH takes effect on every API node within 1 s."""
        other = Server(self.db, admin_token=self.server.admin_token,
                       jwt_secret=self.server.jwt_secret)
        self.addCleanup(other.cleanup)
        other.start()
        t = self.server.create_tenant(uniq("MultiNode"))
        token = self.server.tenant_token(t["id"])
        # warm the other node's tenant cache
        status, _, me = other.request("GET", "/v1/tenant", token=token)
        self.assertEqual(status, 200, me)
        path = f"/v1/admin/tenants/{t['id']}"

        self.assertStatus(self.admin("PATCH", path, {"status": "suspended"}), 200)
        refused = wait_until(lambda: other.request("GET", "/v1/tenant", token=token)[0] == 403,
                             1.5, 0.05)
        self.assertTrue(refused, "suspension not effective on another node within 1.5 s")

        self.assertStatus(self.admin("PATCH", path, {"status": "active",
                                                     "limits": {"requests_per_hour": 7}}), 200)
        seen = wait_until(lambda: (lambda r: r[0] == 200 and
                                   r[2]["limits"]["requests_per_hour"] == 7)(
            other.request("GET", "/v1/tenant", token=token)), 1.5, 0.05)
        self.assertTrue(seen, "activation/limits not effective on another node within 1.5 s")

        self.assertStatus(self.admin("DELETE", path), 204)
        gone = wait_until(lambda: other.request("GET", "/v1/tenant", token=token)[0] == 403,
                          1.5, 0.05)
        self.assertTrue(gone, "deletion not effective on another node within 1.5 s")
        other.stop()

    # ---- authentication of the admin API

    def test_admin_auth(self):
        t = self.server.create_tenant(uniq("AuthProbe"))
        tenant_token = self.server.tenant_token(t["id"])
        paths = [("GET", "/v1/admin/tenants", None),
                 ("POST", "/v1/admin/tenants", {"name": "nope"}),
                 ("GET", f"/v1/admin/tenants/{t['id']}", None),
                 ("PATCH", f"/v1/admin/tenants/{t['id']}", {"name": "nope"}),
                 ("DELETE", f"/v1/admin/tenants/{t['id']}", None),
                 ("POST", f"/v1/admin/tenants/{t['id']}/tokens", {})]
        wrong = self.server.admin_token[:-1] + ("x" if self.server.admin_token[-1] != "x" else "y")
        for method, path, body in paths:
            with self.subTest(method=method, path=path):
                self.assertError(self.req(method, path, body), 401, "unauthorized", "no token")
                self.assertError(self.req(method, path, body, token=wrong), 401, "unauthorized",
                                 "wrong admin token")
                self.assertError(self.req(method, path, body, token=""), 401, "unauthorized",
                                 "empty bearer")
                self.assertError(self.req(method, path, body, headers={
                    "Authorization": "Basic " + self.server.admin_token}), 401, "unauthorized",
                    "basic scheme")
                self.assertError(self.req(method, path, body, token=tenant_token), 403,
                                 "forbidden", "tenant token on admin API")
                forged = make_jwt(self.server.jwt_secret,
                                  {"tenant_id": t["id"], "exp": int(time.time()) + 600,
                                   "iat": int(time.time()), "sub": "admin", "admin": True})
                self.assertError(self.req(method, path, body, token=forged), 403, "forbidden",
                                 "tenant-looking JWT with admin claims")
        status, _, got = self.admin("GET", f"/v1/admin/tenants/{t['id']}")
        self.assertEqual(got, t, "refused requests must not change anything")

    # ---- tenant status affects the tenant API

    def test_suspend_and_activate(self):
        t = self.server.create_tenant(uniq("Suspendable"))
        token = self.server.tenant_token(t["id"])
        self.assertStatus(self.req("GET", "/v1/tenant", token=token), 200)
        self.assertStatus(self.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                     {"status": "suspended"}), 200)
        resp = wait_until(lambda: (lambda r: r if r[0] == 403 else None)(
            self.req("GET", "/v1/tenant", token=token)), timeout=2.0)
        self.assertIsNotNone(resp, "suspended tenant still served after 2 s")
        self.assertError(resp, 403, "forbidden")
        self.assertError(self.req("GET", "/v1/content", token=token), 403, "forbidden")
        self.assertStatus(self.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                     {"status": "active"}), 200)
        ok = wait_until(lambda: self.req("GET", "/v1/tenant", token=token)[0] == 200, 2.0)
        self.assertTrue(ok, "re-activated tenant still refused after 2 s")

    def test_deleted_tenant_token(self):
        t = self.server.create_tenant(uniq("Deleted"))
        token = self.server.tenant_token(t["id"])
        self.assertStatus(self.req("GET", "/v1/tenant", token=token), 200)
        self.assertStatus(self.admin("DELETE", f"/v1/admin/tenants/{t['id']}"), 204)
        resp = wait_until(lambda: (lambda r: r if r[0] != 200 else None)(
            self.req("GET", "/v1/tenant", token=token)), timeout=2.0)
        self.assertIsNotNone(resp, "deleted tenant's token still works after 2 s")
        self.assertError(resp, 403, "forbidden")
        self.assertError(self.req("GET", "/v1/content", token=token), 403, "forbidden")
        self.assertError(self.req("POST", "/v1/content", {"inspiration_data": {}}, token=token),
                         403, "forbidden")


if __name__ == "__main__":
    unittest.main()
