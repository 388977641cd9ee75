"""The OpenAPI document a started server publishes (GET /openapi.json) passes `redocly lint`
with the recommended ruleset (redocly.yaml) and the project's own conventions: unique camelCase
operationIds, a schema on every response that has a body, `security: []` on public routes, the
rate-limit headers on tenant routes, HEAD beside every GET."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import REPO_ROOT, E2ETestCase, drop_database, fresh_database  # noqa: E402

METHODS = ("get", "head", "post", "put", "patch", "delete")


def node_tool(name: str) -> str:
    path = REPO_ROOT / "node_modules" / ".bin" / name
    if not path.exists():
        raise AssertionError(f"{path} is missing: scripts/install-deps.sh installs the pinned "
                             "npm tools (npm ci)")
    return str(path)


def quiet_node_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true", NO_COLOR="1")
    return env


class OpenApiDocumentTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("openapi_lint")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        status, _, cls.doc = cls.server.request("GET", "/openapi.json")
        assert status == 200, (status, cls.doc)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def operations(self):
        for path, item in self.doc["paths"].items():
            for method in METHODS:
                if method in item:
                    yield path, method, item[method]

    def test_redocly_recommended_ruleset_has_no_errors_or_warnings(self):
        with tempfile.TemporaryDirectory() as d:
            doc = os.path.join(d, "openapi.json")
            with open(doc, "w") as f:
                json.dump(self.doc, f)
            cp = subprocess.run(
                [node_tool("redocly"), "lint", "--config", str(REPO_ROOT / "redocly.yaml"),
                 "--format", "stylish", doc],
                capture_output=True, text=True, timeout=120, env=quiet_node_env())
        out = cp.stdout + cp.stderr
        self.assertEqual(cp.returncode, 0, out)
        problems = [l for l in out.splitlines() if re.search(r"\s(error|warning)\s", l)]
        self.assertEqual(problems, [], out)

    def test_operation_ids_are_unique_camel_case(self):
        ids = [op["operationId"] for _, _, op in self.operations()]
        self.assertEqual(len(ids), len(set(ids)), ids)
        for i in ids:
            self.assertRegex(i, r"^[a-z][A-Za-z0-9]*$")

    def test_every_get_has_a_head(self):
        for path, item in self.doc["paths"].items():
            if "get" in item:
                self.assertIn("head", item, path)
                self.assertEqual(set(item["head"]["responses"]), set(item["get"]["responses"]))
                for r in item["head"]["responses"].values():
                    self.assertNotIn("content", r, path)

    def test_bodies_have_schemas_and_errors_the_error_body(self):
        for path, method, op in self.operations():
            for status, r in op["responses"].items():
                where = f"{method.upper()} {path} {status}"
                if method == "head" or status in ("204", "304"):
                    self.assertNotIn("content", r, where)
                    continue
                self.assertIn("content", r, where)
                for media in r["content"].values():
                    self.assertIn("schema", media, where)
                if where == "GET /health/ready 503":
                    continue  # the readiness report, or an error while shutting down
                if status.startswith(("4", "5")):
                    self.assertEqual(r["content"]["application/json"]["schema"],
                                     {"$ref": "#/components/schemas/Error"}, where)

    def test_security(self):
        schemes = self.doc["components"]["securitySchemes"]
        self.assertEqual(schemes["adminToken"]["scheme"], "bearer")
        self.assertEqual(schemes["tenantToken"]["scheme"], "bearer")
        for path, method, op in self.operations():
            where = f"{method.upper()} {path}"
            if path.startswith("/v1/admin/"):
                self.assertEqual(op["security"], [{"adminToken": []}], where)
            elif path.startswith("/v1/") or path.startswith("/health/tenant/"):
                self.assertEqual(op["security"], [{"tenantToken": []}], where)
            else:
                self.assertEqual(op["security"], [], where)
            if op["security"]:
                self.assertIn("WWW-Authenticate", op["responses"]["401"].get("headers", {}),
                              where)

    def test_rate_limit_headers_on_tenant_routes(self):
        for path, method, op in self.operations():
            if not path.startswith("/v1/") or path.startswith("/v1/admin/"):
                continue
            for status, r in op["responses"].items():
                if status in ("401", "403"):
                    continue
                headers = r.get("headers", {})
                for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                    self.assertIn(h, headers, f"{method.upper()} {path} {status}")
            self.assertIn("Retry-After", op["responses"]["429"]["headers"], path)

    def test_catch_all_parameter_is_named_as_in_the_path(self):
        self.assertNotIn("/v1/files/{key+}", self.doc["paths"])
        item = self.doc["paths"]["/v1/files/{key}"]
        for method in ("get", "put", "delete"):
            params = {p["name"]: p for p in item[method]["parameters"]}
            self.assertEqual(params["key"]["in"], "path")
            self.assertIn("slash", params["key"]["description"])
        self.assertIn("201", self.doc["paths"]["/v1/content"]["post"]["responses"])
        self.assertIn("Location",
                      self.doc["paths"]["/v1/content"]["post"]["responses"]["201"]["headers"])

    def test_servers_and_tags(self):
        self.assertTrue(self.doc["servers"])
        tags = {t["name"] for t in self.doc["tags"]}
        for _, _, op in self.operations():
            self.assertTrue(set(op["tags"]) <= tags, op["operationId"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
