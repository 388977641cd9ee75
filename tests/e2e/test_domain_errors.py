"""E2E: domain errors keep the HTTP contract, metrics count the status the client received,
tenant error responses carry the rate-limit headers, and tenant deletion is resumable.

- A duplicate domain is a 409 and counted in /metrics under status="409" (not 500); a date that
  passes the format check but PostgreSQL rejects (Feb 30) is a 400, counted as 400.
- X-RateLimit-* headers are on every tenant response, errors made from exceptions included.
- Deleting a tenant while object storage (s3rver) is down answers 503 and the tenant is refused
  from then on; once storage is back, DELETE again finishes the purge (204, objects gone) and a
  further DELETE is 404. The same with `autoblog tenant delete`.
"""
import secrets
import unittest

from harness import (E2ETestCase, S3Client, S3rver, assert_error, base_env, describe,
                     drop_database, fresh_database, metric_value, random_uuid, run_cli, s3_env,
                     s3rver_bin)

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def uniq(prefix):
    return f"{prefix}-{secrets.token_hex(4)}"


class MetricsMixin:
    def requests_counted(self, endpoint, status, method=None, tenant_id=None):
        """autoblog_http_requests_total (every request), or with tenant_id the per-tenant
        autoblog_tenant_requests_total."""
        s, _, raw = self.req("GET", "/metrics")
        self.assertEqual(s, 200)
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        labels = {"endpoint": endpoint, "status": str(status)}
        if method:
            labels["method"] = method
        if tenant_id:
            labels["tenant_id"] = tenant_id
            return metric_value(text, "autoblog_tenant_requests_total", **labels) or 0.0
        return metric_value(text, "autoblog_http_requests_total", **labels) or 0.0


class ErrorStatusTest(MetricsMixin, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("domain_errors")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        cls.t, cls.tok = cls.server.new_tenant_with_token("starter")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def tenant(self, method, path, body=None):
        return self.req(method, path, body, token=self.tok)

    def new_item(self):
        s, _, item = self.tenant("POST", "/v1/content", {"inspiration_data": {"idea": "x"}})
        self.assertEqual(s, 201, item)
        return item

    def test_duplicate_domain_is_409_and_counted_as_409(self):
        domain = f"{uniq('blog')}.example.com"
        s, _, body = self.admin("POST", "/v1/admin/tenants", {"name": uniq("A"), "domain": domain})
        self.assertEqual(s, 201, body)
        before_409 = self.requests_counted("/v1/admin/tenants", 409)
        before_500 = self.requests_counted("/v1/admin/tenants", 500)
        s, _, body = self.admin("POST", "/v1/admin/tenants", {"name": uniq("B"), "domain": domain})
        assert_error(s, body, 409, "conflict", "duplicate domain on create")
        self.assertEqual(self.requests_counted("/v1/admin/tenants", 409), before_409 + 1)
        self.assertEqual(self.requests_counted("/v1/admin/tenants", 500), before_500)
        # and on PATCH
        other = self.server.create_tenant()
        before = self.requests_counted("/v1/admin/tenants/{id}", 409, "PATCH")
        s, _, body = self.admin("PATCH", f"/v1/admin/tenants/{other['id']}", {"domain": domain})
        assert_error(s, body, 409, "conflict", "duplicate domain on patch")
        self.assertEqual(self.requests_counted("/v1/admin/tenants/{id}", 409, "PATCH"), before + 1)
        self.assertEqual(self.requests_counted("/v1/admin/tenants/{id}", 500), 0)

    def test_date_postgres_rejects_is_400_counted_as_400(self):
        item = self.new_item()
        endpoint = "/v1/content/{id}/performance"
        tid = self.t["id"]
        before = self.requests_counted(endpoint, 400)
        before_tenant = self.requests_counted(endpoint, 400, tenant_id=tid)
        s, _, body = self.tenant("POST", f"/v1/content/{item['id']}/performance",
                                 {"metrics": {"views": 1}, "tracked_at": "2024-02-30T10:00:00Z"})
        assert_error(s, body, 400, "invalid_request", "February 30th")
        self.assertEqual(self.requests_counted(endpoint, 400), before + 1)
        self.assertEqual(self.requests_counted(endpoint, 400, tenant_id=tid), before_tenant + 1)
        self.assertEqual(self.requests_counted(endpoint, 500), 0)
        self.assertEqual(self.requests_counted(endpoint, 500, tenant_id=tid), 0)

    def test_not_found_and_conflict_are_counted_with_their_status(self):
        item = self.new_item()
        before_404 = self.requests_counted("/v1/content/{id}", 404)
        before_409 = self.requests_counted("/v1/content/{id}", 409)
        s, _, body = self.tenant("GET", f"/v1/content/{random_uuid()}")
        assert_error(s, body, 404, "not_found")
        s, _, body = self.tenant("PATCH", f"/v1/content/{item['id']}", {"status": "published"})
        assert_error(s, body, 409, "conflict", "inspiration → published is not a PATCH move")
        self.assertEqual(self.requests_counted("/v1/content/{id}", 404), before_404 + 1)
        self.assertEqual(self.requests_counted("/v1/content/{id}", 409), before_409 + 1)
        self.assertEqual(self.requests_counted("/v1/content/{id}", 500), 0)
        self.assertGreaterEqual(
            self.requests_counted("/v1/content/{id}", 409, tenant_id=self.t["id"]), 1)

    def test_rate_limit_headers_on_every_tenant_response(self):
        item = self.new_item()
        cases = [
            ("GET", f"/v1/content/{item['id']}", None, 200),
            ("GET", f"/v1/content/{random_uuid()}", None, 404),                 # service error
            ("PATCH", f"/v1/content/{item['id']}", {"status": "published"}, 409),  # illegal move
            ("GET", "/v1/content?status=nonsense", None, 400),                 # service input
            ("GET", "/v1/content?cursor=%21%21", None, 400),
            ("POST", "/v1/content", {"surprise": 1}, 400),                     # handler input
            ("POST", f"/v1/content/{item['id']}/performance",
             {"metrics": {}, "tracked_at": "2024-02-30T10:00:00Z"}, 400),      # PostgreSQL
            ("GET", "/v1/brand", None, 404),
        ]
        remaining = []
        for method, path, body, expected in cases:
            with self.subTest(method=method, path=path):
                s, headers, resp = self.tenant(method, path, body)
                self.assertEqual(s, expected, resp)
                for h in RATE_HEADERS:
                    self.assertIn(h, headers, f"{method} {path} → {s} lacks {h}: {headers}")
                    self.assertEqual(len(headers[h].split(",")), 1,
                                     f"{h} sent more than once: {headers[h]!r}")
                self.assertEqual(headers["x-ratelimit-limit"], "500")
                remaining.append(int(headers["x-ratelimit-remaining"]))
        self.assertEqual(remaining, sorted(remaining, reverse=True), remaining)

    def test_admin_errors_keep_their_codes(self):
        s, _, body = self.admin("GET", f"/v1/admin/tenants/{random_uuid()}")
        assert_error(s, body, 404, "not_found")
        s, _, body = self.admin("PATCH", f"/v1/admin/tenants/{self.t['id']}",
                                {"limits": {"requests_per_hour": 0}})
        assert_error(s, body, 400, "invalid_request")
        s, _, body = self.admin("PATCH", f"/v1/admin/tenants/{self.t['id']}",
                                {"status": "deleted"})
        assert_error(s, body, 400, "invalid_request")
        s, _, body = self.admin("POST", f"/v1/admin/tenants/{self.t['id']}/tokens",
                                {"ttl_seconds": 0})
        assert_error(s, body, 400, "invalid_request")
        s, _, body = self.admin("GET", "/v1/admin/tenants?cursor=%21%21")
        assert_error(s, body, 400, "invalid_request")
        s, _, body = self.admin("DELETE", f"/v1/admin/tenants/{random_uuid()}")
        assert_error(s, body, 404, "not_found")


class ResumableDeletionTest(MetricsMixin, E2ETestCase):
    """The server's own s3rver, stopped in the middle of a deletion."""

    @classmethod
    def setUpClass(cls):
        if s3rver_bin() is None:
            raise unittest.SkipTest("node_modules/.bin/s3rver is missing (npm package pinned "
                                    "in package.json)")
        cls.s3 = S3rver()
        cls.addClassCleanup(cls.s3.cleanup)
        cls.s3.start()
        cls.db = fresh_database("resumable_delete")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env=s3_env(cls.s3.endpoint))
        cls.cli_env = base_env(AUTOBLOG_DATABASE_URL=cls.db,
                               AUTOBLOG_DATA_DIR=cls.server.data_dir,
                               AUTOBLOG_JWT_SECRET=cls.server.jwt_secret,
                               AUTOBLOG_ADMIN_TOKEN=cls.server.admin_token,
                               AUTOBLOG_LOG_LEVEL="warn", **s3_env(cls.s3.endpoint))

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def setUp(self):
        if not self.s3.alive():
            self.s3.start()

    def objects_of(self, tenant_id):
        return S3Client(self.s3.endpoint).list_objects(f"tenants/{tenant_id}/")

    def tenant_with_files(self):
        t, tok = self.server.new_tenant_with_token("growth")
        for key in ("a.txt", "docs/b.txt"):
            s, _, body = self.req("PUT", f"/v1/files/{key}", b"hello", token=tok,
                                  headers={"Content-Type": "text/plain"})
            self.assertEqual(s, 200, body)
        self.assertEqual(len(self.objects_of(t["id"])), 2)
        return t, tok

    def assert_refused(self, t, tok):
        s, _, body = self.req("GET", "/v1/tenant", token=tok)
        assert_error(s, body, 403, "forbidden", "tenant whose deletion has started")
        s, _, body = self.admin("GET", f"/v1/admin/tenants/{t['id']}")
        assert_error(s, body, 404, "not_found", "admin view of a deleted tenant")

    def test_delete_with_storage_down_is_resumed_by_a_second_delete(self):
        t, tok = self.tenant_with_files()
        before_503 = self.requests_counted("/v1/admin/tenants/{id}", 503, "DELETE")
        self.s3.stop()
        s, _, body = self.admin("DELETE", f"/v1/admin/tenants/{t['id']}")
        assert_error(s, body, 503, "unavailable", "DELETE with S3 down")
        self.assertEqual(self.requests_counted("/v1/admin/tenants/{id}", 503, "DELETE"),
                         before_503 + 1)
        self.assert_refused(t, tok)
        # still unavailable: the retry fails the same way, nothing is lost
        s, _, body = self.admin("DELETE", f"/v1/admin/tenants/{t['id']}")
        assert_error(s, body, 503, "unavailable", "second DELETE, S3 still down")

        self.s3.start()
        self.assertEqual(len(self.objects_of(t["id"])), 2, "objects purged while S3 was down?")
        s, _, body = self.admin("DELETE", f"/v1/admin/tenants/{t['id']}")
        self.assertEqual(s, 204, body)
        self.assertEqual(self.objects_of(t["id"]), {}, "the tenant's objects are orphaned")
        self.assert_refused(t, tok)
        s, _, body = self.admin("DELETE", f"/v1/admin/tenants/{t['id']}")
        assert_error(s, body, 404, "not_found", "DELETE after the purge finished")

    def test_cli_delete_with_storage_down_is_resumed_by_a_second_delete(self):
        t, tok = self.tenant_with_files()
        self.s3.stop()
        cp = run_cli(["tenant", "delete", "--yes", t["id"]], env=self.cli_env)
        self.assertEqual(cp.returncode, 1, describe(cp))
        lines = [line for line in cp.stderr.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, describe(cp))
        self.assertIn("again", lines[0], describe(cp))
        self.assert_refused(t, tok)

        self.s3.start()
        cp = run_cli(["tenant", "delete", "--yes", t["id"]], env=self.cli_env)
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.assertEqual(self.objects_of(t["id"]), {}, "the tenant's objects are orphaned")
        cp = run_cli(["tenant", "delete", "--yes", t["id"]], env=self.cli_env)
        self.assertEqual(cp.returncode, 1, describe(cp))
        self.assertIn("not found", cp.stderr, describe(cp))


if __name__ == "__main__":
    unittest.main()
