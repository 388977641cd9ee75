"""The e2e suite's OpenAPI check (harness.OpenApiValidator, Prism's validator) catches what it
is there to catch: a response that breaks its schema, an undocumented status, a missing required
header, a request the document refuses but the server accepted, a route the document lacks.
Exchanges are made up here (nothing is sent), against the document of a started server."""
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import (E2ETestCase, OpenApiValidator, OpenApiViolation,  # noqa: E402
                     drop_database, fresh_database)

TENANT = {"id": "8b0c8a4e-5d0f-4c7e-9a39-0d8a3c1f2e11", "name": "t", "domain": None,
          "schema_name": "tenant_x", "status": "active", "subscription_tier": "starter",
          "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": "2026-01-01T00:00:00.000000Z"}
ITEM = {"id": TENANT["id"], "status": "inspiration", "inspiration_data": {"a": 1},
        "content_brief": None, "generated_content": None, "visual_assets": None,
        "quality_scores": None, "published_at": None,
        "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": "2026-01-01T00:00:00Z",
        "generation": None, "publications": {}}
JSON = {"content-type": "application/json"}
ADMIN = {"Authorization": "Bearer x"}


def body(obj) -> bytes:
    return json.dumps(obj).encode()


class ExchangeValidatorTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("openapi_exchanges")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        cls.v = OpenApiValidator.for_server(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def ok(self, *exchange):
        self.v.check(*exchange)

    def bad(self, *exchange, mentions: str = ""):
        with self.assertRaises(OpenApiViolation) as cm:
            self.v.check(*exchange)
        self.assertIn(mentions, str(cm.exception))

    def test_a_conforming_exchange_passes(self):
        self.ok("GET", "/v1/admin/tenants/" + TENANT["id"], ADMIN, None, 200, JSON, body(TENANT))
        self.ok("GET", "/health", {}, None, 200, JSON, body({"status": "ok"}))
        self.ok("POST", "/v1/content", {"Authorization": "Bearer t", "Content-Type":
                "application/json", "Content-Length": "28"},
                body({"inspiration_data": {"a": 1}}), 201, JSON, body(ITEM))

    def test_response_breaking_its_schema(self):
        broken = dict(TENANT)
        del broken["schema_name"]
        self.bad("GET", "/v1/admin/tenants/" + TENANT["id"], ADMIN, None, 200, JSON,
                 body(broken), mentions="schema_name")
        self.bad("GET", "/v1/admin/tenants/" + TENANT["id"], ADMIN, None, 200, JSON,
                 body(dict(TENANT, status="sleeping")), mentions="response")
        self.bad("GET", "/health", {}, None, 200, JSON, body({"status": "ok", "x": 1}),
                 mentions="response")

    def test_undocumented_status_and_error_shape(self):
        self.bad("GET", "/health", {}, None, 202, JSON, body({"status": "ok"}),
                 mentions="status code")
        self.bad("GET", "/v1/admin/tenants/" + TENANT["id"], ADMIN, None, 404, JSON,
                 body({"message": "gone"}), mentions="response")

    def test_missing_required_header(self):
        info = {"key": "a/b", "size": 1, "etag": '"e"', "content_type": "text/plain",
                "last_modified": "2026-01-01T00:00:00Z"}
        self.bad("PUT", "/v1/files/a/b", {"Authorization": "Bearer t", "Content-Type":
                 "text/plain", "Content-Length": "1"}, b"x", 200, JSON, body(info),
                 mentions="etag")

    def test_server_accepting_what_the_document_refuses(self):
        self.bad("POST", "/v1/content", {"Authorization": "Bearer t", "Content-Type":
                 "application/json", "Content-Length": "24"}, body({"inspiration_data": 5}),
                 201, JSON, body(ITEM), mentions="accepted")
        self.bad("GET", "/v1/content?limit=0", {"Authorization": "Bearer t"}, None, 200, JSON,
                 body({"items": [], "next_cursor": None}), mentions="accepted")
        # ... while refusing it is what the document expects
        self.ok("GET", "/v1/content?limit=0", {"Authorization": "Bearer t"}, None, 400, JSON,
                body({"error": {"code": "invalid_request", "message": "limit"}}))

    def test_routes_missing_from_the_document(self):
        self.bad("GET", "/v1/secret", {}, None, 200, JSON, body({}), mentions="no documented")
        self.ok("GET", "/v1/nope", {}, None, 404, JSON,
                body({"error": {"code": "not_found", "message": "no route"}}))


if __name__ == "__main__":
    unittest.main(verbosity=2)
