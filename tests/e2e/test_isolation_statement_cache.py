"""E2E: isolation through every tenant route while the per-connection statement cache hits,
evicts on every tenant switch, is disabled, and with prepared statements off (PgBouncer before
1.21), and with single-statement reads on pooled connections instead of each event loop's
multiplexed one. Two tenants hold rows with the same ids; each must only ever read, change or delete its
own, and responses are compact JSON with one timestamp format."""
import http.client
import re
import unittest

from harness import (E2ETestCase, drop_database, fresh_database, metric_value, psql,
                     random_uuid)

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

VARIANTS = {
    "hits": {"AUTOBLOG_DB_POOL_SIZE": "2"},
    "evicts": {"AUTOBLOG_DB_POOL_SIZE": "2", "AUTOBLOG_DB_STATEMENT_CACHE_SIZE": "1",
               "AUTOBLOG_DB_SHARED_READS_CACHE_SIZE": "1"},
    "disabled": {"AUTOBLOG_DB_POOL_SIZE": "2", "AUTOBLOG_DB_STATEMENT_CACHE_SIZE": "0",
                 "AUTOBLOG_DB_SHARED_READS_CACHE_SIZE": "0"},
    "unprepared": {"AUTOBLOG_DB_POOL_SIZE": "2", "AUTOBLOG_DB_PREPARED_STATEMENTS": "0"},
    "pooled": {"AUTOBLOG_DB_POOL_SIZE": "2", "AUTOBLOG_DB_SHARED_READS": "0"},
}


class SharedIdsIsolation(E2ETestCase):
    variant = "hits"

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database(f"stmtcache_{cls.variant}")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env=VARIANTS[cls.variant])
        srv = cls.server
        cls.tenants = {}
        for who in ("a", "b"):
            tenant, token = srv.new_tenant_with_token("growth", name=f"Tenant {who}")
            cls.tenants[who] = (tenant, token)
        # The same content and performance ids in both schemas, written behind the API's back.
        cls.content_id, cls.perf_id = random_uuid(), random_uuid()
        for who, (tenant, _) in cls.tenants.items():
            schema = tenant["schema_name"]
            psql(cls.db, f'INSERT INTO "{schema}".content_pipelines (id, inspiration_data) '
                         f"VALUES ('{cls.content_id}', '{{\"owner\": \"{who}\"}}'); "
                         f'INSERT INTO "{schema}".content_performance (id, content_id, metrics) '
                         f"VALUES ('{cls.perf_id}', '{cls.content_id}', "
                         f"'{{\"owner\": \"{who}\"}}')")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def token(self, who):
        return self.tenants[who][1]

    def test_every_route_reads_and_writes_only_the_callers_row(self):
        cid = self.content_id
        for round_ in range(3):  # alternate tenants so each connection switches schema often
            for who in ("a", "b"):
                tok = self.token(who)
                with self.subTest(round=round_, tenant=who):
                    status, _, item = self.req("GET", f"/v1/content/{cid}", token=tok)
                    self.assertEqual(status, 200, item)
                    self.assertEqual(item["inspiration_data"], {"owner": who})
                    status, _, page = self.req("GET", "/v1/content?limit=100", token=tok)
                    self.assertEqual(status, 200, page)
                    owners = {i["inspiration_data"].get("owner") for i in page["items"]
                              if i["id"] == cid}
                    self.assertEqual(owners, {who})
                    status, _, perf = self.req("GET", f"/v1/content/{cid}/performance",
                                               token=tok)
                    self.assertEqual(status, 200, perf)
                    self.assertEqual([r["metrics"] for r in perf["items"]
                                      if r["id"] == self.perf_id], [{"owner": who}])
                    status, _, patched = self.req(
                        "PATCH", f"/v1/content/{cid}",
                        {"content_brief": {"by": who, "round": round_}}, token=tok)
                    self.assertEqual(status, 200, patched)
                    self.assertEqual(patched["content_brief"], {"by": who, "round": round_})
                    self.assertEqual(patched["inspiration_data"], {"owner": who})
                    status, _, brand = self.req("PUT", "/v1/brand",
                                                {"voice_tone": {"owner": who}, "topics": [who]},
                                                token=tok)
                    self.assertEqual(status, 200, brand)
                    status, _, brand = self.req("GET", "/v1/brand", token=tok)
                    self.assertEqual(brand["voice_tone"], {"owner": who})
        for who, (tenant, _) in self.tenants.items():
            brief = psql(self.db, f'SELECT content_brief->>\'by\' FROM "{tenant["schema_name"]}"'
                                  f".content_pipelines WHERE id = '{cid}'")
            self.assertEqual(brief, who)

    def test_responses_are_compact_with_one_timestamp_format(self):
        tok = self.token("a")
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.request("GET", f"/v1/content/{self.content_id}",
                         headers={"Authorization": f"Bearer {tok}"})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            text = resp.read().decode()
        finally:
            conn.close()
        self.assertNotIn('" : ', text)
        self.assertNotIn('": ', text)
        self.assertNotIn(', "', text)
        status, _, item = self.req("GET", f"/v1/content/{self.content_id}", token=tok)
        for field in ("created_at", "updated_at"):
            self.assertRegex(item[field], TIMESTAMP)
        status, _, tenant = self.req("GET", "/v1/tenant", token=tok)
        self.assertRegex(tenant["created_at"], TIMESTAMP)

    def test_content_reads_use_the_shared_read_connections_unless_off(self):
        def shared_statements():
            status, _, raw = self.req("GET", "/metrics")
            self.assertEqual(status, 200)
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            return metric_value(text, "autoblog_db_shared_read_statements_total")
        before = shared_statements()
        for who in ("a", "b"):
            status, _, item = self.req("GET", f"/v1/content/{self.content_id}",
                                       token=self.token(who))
            self.assertEqual((status, item["inspiration_data"]), (200, {"owner": who}))
        after = shared_statements()
        if self.variant in ("pooled", "unprepared"):
            self.assertEqual(after, 0)  # off: nothing goes through them
        else:
            self.assertGreaterEqual(after - (before or 0), 2)

    def test_delete_removes_only_the_callers_row(self):
        extra = random_uuid()
        for who, (tenant, _) in self.tenants.items():
            psql(self.db, f'INSERT INTO "{tenant["schema_name"]}".content_pipelines '
                          f"(id, inspiration_data) VALUES ('{extra}', '{{}}')")
        status, _, _ = self.req("DELETE", f"/v1/content/{extra}", token=self.token("a"))
        self.assertEqual(status, 204)
        counts = {who: psql(self.db, f'SELECT count(*) FROM "{t["schema_name"]}".content_pipelines '
                                     f"WHERE id = '{extra}'")
                  for who, (t, _) in self.tenants.items()}
        self.assertEqual(counts, {"a": "0", "b": "1"})
        status, _, body = self.req("GET", f"/v1/content/{extra}", token=self.token("b"))
        self.assertEqual(status, 200, body)


class SharedIdsIsolationCacheEvicts(SharedIdsIsolation):
    variant = "evicts"


class SharedIdsIsolationCacheDisabled(SharedIdsIsolation):
    variant = "disabled"


class SharedIdsIsolationUnprepared(SharedIdsIsolation):
    variant = "unprepared"


class SharedIdsIsolationPooledReads(SharedIdsIsolation):
    variant = "pooled"


if __name__ == "__main__":
    unittest.main()
