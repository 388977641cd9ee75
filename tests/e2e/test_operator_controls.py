"""E2E: operator controls — the metrics listener (AUTOBLOG_METRICS_LISTEN), the per-tenant
storage quota (tier default or limits.storage_bytes; 429 quota_exceeded, nothing stored), the
cached /health/tenant/{id} result, and presigned S3 URLs that force a download.
"""
import http.client
import os
import time
import unittest
import urllib.parse
import urllib.request

from harness import (E2ETestCase, assert_error, drop_database, free_port, fresh_database, s3_env,
                     shared_s3_endpoint)


def get_raw(port, path, token=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


class MetricsListenerTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("metrics_listen")
        cls.addClassCleanup(drop_database, cls.db)
        cls.metrics_port = free_port()
        cls.server = cls.start_server(
            cls.db, env={"AUTOBLOG_METRICS_LISTEN": f"127.0.0.1:{cls.metrics_port}"})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def test_metrics_only_on_the_metrics_listener(self):
        _, tok = self.server.new_tenant_with_token()
        self.assertEqual(self.req("GET", "/v1/tenant", token=tok)[0], 200)
        status, _, body = self.req("GET", "/metrics")
        assert_error(status, body, 404, "not_found", "/metrics on the main listener")
        status, headers, body = get_raw(self.metrics_port, "/metrics")
        self.assertEqual(status, 200, body[:300])
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers)
        self.assertIn(b"autoblog_tenant_requests_total", body)
        # the metrics listener serves nothing else
        for path in ("/health", "/v1/tenant", "/openapi.json", "/v1/admin/tenants"):
            status, _, body = get_raw(self.metrics_port, path, token=self.server.admin_token)
            self.assertEqual(status, 404, f"{path} on the metrics listener: {body[:200]!r}")
        # the main listener still serves everything else
        self.assertEqual(self.req("GET", "/health")[0], 200)

    def test_bad_metrics_listen_is_a_config_error(self):
        from harness import Server
        srv = Server(self.db, env={"AUTOBLOG_METRICS_LISTEN": "nonsense"})
        self.addCleanup(srv.cleanup)
        with self.assertRaises(AssertionError):
            srv.start()
        self.assertEqual(srv.returncode, 2)
        self.assertIn("AUTOBLOG_METRICS_LISTEN", srv.read_output())


class StorageQuotaAndHealthTest(E2ETestCase):
    """Local storage (the data dir): quota and the health cache."""

    HEALTH_CACHE_MS = 1500

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("quota")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(
            cls.db, env={"AUTOBLOG_TENANT_HEALTH_CACHE_MS": str(cls.HEALTH_CACHE_MS),
                         "AUTOBLOG_STORAGE_QUOTA_GROWTH_BYTES": "2000"})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def put(self, tok, key, size):
        return self.req("PUT", f"/v1/files/{key}", b"x" * size, token=tok,
                        headers={"Content-Type": "application/octet-stream"})

    def limit(self, tenant_id, value):
        return self.admin("PATCH", f"/v1/admin/tenants/{tenant_id}",
                          {"limits": {"storage_bytes": value}})

    def test_quota_override_refuses_and_stores_nothing(self):
        t, tok = self.server.new_tenant_with_token()
        status, _, body = self.limit(t["id"], 1000)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.put(tok, "a.bin", 600)[0], 201)
        status, _, body = self.put(tok, "b.bin", 600)
        assert_error(status, body, 429, "quota_exceeded", "second 600-byte PUT")
        status, _, body = self.req("GET", "/v1/files/b.bin", token=tok)
        assert_error(status, body, 404, "not_found", "the refused object is not stored")
        # overwriting counts the delta: 600 -> 1000 fits exactly, 1001 does not
        self.assertEqual(self.put(tok, "a.bin", 1000)[0], 200)
        status, _, body = self.put(tok, "a.bin", 1001)
        assert_error(status, body, 429, "quota_exceeded", "overwrite past the quota")
        status, _, body = self.req("GET", "/v1/files/a.bin", token=tok)
        self.assertEqual(status, 200)
        self.assertEqual(len(body if isinstance(body, bytes) else body.encode()), 1000)
        # shrinking is always allowed; a DELETE frees its bytes
        self.assertEqual(self.put(tok, "a.bin", 100)[0], 200)
        self.assertEqual(self.put(tok, "b.bin", 900)[0], 201)
        self.assertEqual(self.req("DELETE", "/v1/files/a.bin", token=tok)[0], 204)
        self.assertEqual(self.put(tok, "c.bin", 100)[0], 201)
        # -1 = unlimited; writes made meanwhile count once a quota applies again
        self.assertEqual(self.limit(t["id"], -1)[0], 200)
        self.assertEqual(self.put(tok, "big.bin", 5000)[0], 201)
        self.assertEqual(self.limit(t["id"], 6000)[0], 200)
        status, _, body = self.put(tok, "more.bin", 100)
        assert_error(status, body, 429, "quota_exceeded", "after unlimited writes")

    def test_tier_default_from_config(self):
        t, tok = self.server.new_tenant_with_token("growth")  # 2000 bytes in this server's config
        self.assertEqual(self.put(tok, "one.bin", 1500)[0], 201)
        status, _, body = self.put(tok, "two.bin", 600)
        assert_error(status, body, 429, "quota_exceeded", "growth default")
        self.assertEqual(self.limit(t["id"], 10000)[0], 200)
        self.assertEqual(self.put(tok, "two.bin", 600)[0], 201)
        self.assertEqual(self.limit(t["id"], None)[0], 200)  # null clears: the default again
        status, _, body = self.put(tok, "three.bin", 600)
        assert_error(status, body, 429, "quota_exceeded", "growth default after clearing")

    def test_storage_bytes_is_validated(self):
        t, _ = self.server.new_tenant_with_token()
        for bad in ("1000", -2, 1.5, True, 1 << 51):
            status, _, body = self.limit(t["id"], bad)
            assert_error(status, body, 400, "invalid_request", f"storage_bytes={bad!r}")
        self.assertEqual(self.limit(t["id"], 0)[0], 200)

    def storage_tmp_mtime(self):
        # Every local write goes through a temp file in <data>/storage/.tmp, so the directory's
        # mtime moves with each write and nothing else.
        return os.stat(os.path.join(self.server.data_dir, "storage", ".tmp")).st_mtime_ns

    def test_health_is_cached_per_tenant(self):
        t, tok = self.server.new_tenant_with_token()
        path = f"/health/tenant/{t['id']}"
        status, _, first = self.req("GET", path, token=tok)
        self.assertEqual(status, 200, first)
        self.assertEqual(first["status"], "healthy", first)
        t0 = time.monotonic()
        before = self.storage_tmp_mtime()
        answers = []
        while time.monotonic() - t0 < self.HEALTH_CACHE_MS / 1000 * 0.6:
            answers.append(self.req("GET", path, token=tok))
        self.assertGreater(len(answers), 5)
        for status, _, body in answers:
            self.assertEqual(status, 200)
            self.assertEqual(body, first, "identical within the interval, timestamp included")
        self.assertEqual(self.storage_tmp_mtime(), before, "no storage probe within the interval")
        # another tenant has its own entry (never the first tenant's answer)
        t2, tok2 = self.server.new_tenant_with_token()
        status, _, other = self.req("GET", f"/health/tenant/{t2['id']}", token=tok2)
        self.assertEqual(other["tenant_id"], t2["id"])
        # after the interval the next probe checks again
        time.sleep(self.HEALTH_CACHE_MS / 1000 + 0.2)
        before = self.storage_tmp_mtime()
        status, _, again = self.req("GET", path, token=tok)
        self.assertEqual(status, 200)
        self.assertNotEqual(again["timestamp"], first["timestamp"])
        self.assertNotEqual(self.storage_tmp_mtime(), before, "a real check after the interval")


@unittest.skipUnless(shared_s3_endpoint(), "needs AUTOBLOG_TEST_S3_ENDPOINT (s3rver)")
class PresignDownloadTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("presign_dl")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env=s3_env(shared_s3_endpoint()))

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def test_presigned_url_forces_an_attachment(self):
        _, tok = self.server.new_tenant_with_token()
        page = b"<html><script>alert(1)</script></html>"
        key = "site/evil page.html"
        status, _, body = self.req("PUT", "/v1/files/" + urllib.parse.quote(key), page,
                                   token=tok, headers={"Content-Type": "text/html"})
        self.assertEqual(status, 201, body)
        status, _, body = self.req("GET", "/v1/files/" + urllib.parse.quote(key) + "?presign=60",
                                   token=tok)
        self.assertEqual(status, 200, body)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(body["url"]).query))
        self.assertEqual(query["response-content-disposition"],
                         'attachment; filename="evil_page.html"')
        self.assertEqual(query["response-content-type"], "application/octet-stream")
        with urllib.request.urlopen(body["url"], timeout=10) as resp:
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.headers["Content-Disposition"],
                             'attachment; filename="evil_page.html"')
            self.assertEqual(resp.headers["Content-Type"], "application/octet-stream")
            self.assertEqual(resp.read(), page)
        # (that the overrides are signed is checked by the SigV4 unit tests: s3rver does not
        # verify V4 signatures)

if __name__ == "__main__":
    unittest.main()
