"""Runs the document-driven fuzzer (fuzz.mjs: fast-check, fixed seed, bounded runs) against a
started server with a tenant, a token and some data made here, then checks the server is still
up and stops cleanly. AUTOBLOG_FUZZ_RUNS and AUTOBLOG_FUZZ_SEED change the run (e.g. to replay a
failure or to fuzz longer by hand)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import REPO_ROOT, E2ETestCase, drop_database, fresh_database  # noqa: E402

RUNS = int(os.environ.get("AUTOBLOG_FUZZ_RUNS", "25"))
SEED = int(os.environ.get("AUTOBLOG_FUZZ_SEED", "20261205"))


class DocumentFuzzTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        if not (REPO_ROOT / "node_modules" / "fast-check").is_dir():
            raise AssertionError("node_modules/fast-check is missing: scripts/install-deps.sh "
                                 "installs the pinned npm packages")
        cls.db = fresh_database("openapi_fuzz")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        srv = cls.server
        # The tenant whose token the fuzzer uses (enterprise: 10000 requests/hour), and another
        # one for the admin routes to change, suspend and delete.
        cls.tenant, cls.token = srv.new_tenant_with_token("enterprise")
        cls.victim = srv.create_tenant(name="fuzz-victim")
        status, _, issued = srv.admin("POST", f"/v1/admin/tenants/{cls.victim['id']}/tokens", {})
        assert status == 201, (status, issued)
        status, _, tokens = srv.admin("GET", f"/v1/admin/tenants/{cls.victim['id']}/tokens")
        assert status == 200, (status, tokens)
        status, _, item = srv.request("POST", "/v1/content", {"inspiration_data": {"a": 1}},
                                      token=cls.token)
        assert status == 201, (status, item)
        status, _, _ = srv.request("PUT", "/v1/files/fuzz/known.txt", b"known",
                                   token=cls.token, headers={"Content-Type": "text/plain"})
        assert status == 201, status  # created
        cls.path_values = {
            "/v1/admin/tenants/{id} id": [cls.victim["id"]],
            "/v1/admin/tenants/{id}/tokens id": [cls.victim["id"]],
            "/v1/admin/tenants/{id}/tokens/{jti} id": [cls.victim["id"]],
            "/v1/admin/tenants/{id}/tokens/{jti} jti": [tokens["items"][0]["jti"]],
            "/v1/content/{id} id": [item["id"]],
            "/v1/content/{id}/performance id": [item["id"]],
            "/health/tenant/{id} id": [cls.tenant["id"]],
            "/v1/files/{key} key": ["fuzz/known.txt", "fuzz/new.bin", "a/b/c"],
        }

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def test_every_operation_holds_under_generated_requests(self):
        with tempfile.TemporaryDirectory() as d:
            config = os.path.join(d, "fuzz.json")
            with open(config, "w") as f:
                json.dump({"base_url": self.server.base_url, "admin_token": self.server.admin_token,
                           "tenant_token": self.token, "seed": SEED, "runs": RUNS,
                           "path_values": self.path_values}, f)
            cp = subprocess.run(["node", str(REPO_ROOT / "tests" / "openapi" / "fuzz.mjs"),
                                 config], capture_output=True, text=True, timeout=600,
                                cwd=str(REPO_ROOT))
        print(cp.stdout[-4000:], file=sys.stderr)
        self.assertEqual(cp.returncode, 0, cp.stdout[-6000:] + cp.stderr[-3000:])
        self.assertTrue(self.server.alive(), "the server died under the fuzzer")
        self.assertEqual(self.req("GET", "/health")[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
