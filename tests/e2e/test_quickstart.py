"""E2E: examples/quickstart.sh, run as a new user would, against a server started the way
`make run` starts it (embedded PostgreSQL, secrets generated into the data dir, nothing
configured), so the quick start in the README can never go stale."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import REPO_ROOT, UUID_RE, E2ETestCase, Server, base_env, free_port

SCRIPT = REPO_ROOT / "examples" / "quickstart.sh"


def run_quickstart(env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=timeout)


def describe(cp: subprocess.CompletedProcess) -> str:
    return f"exit {cp.returncode}\n--- stdout ---\n{cp.stdout}\n--- stderr ---\n{cp.stderr}"


class QuickstartTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        for tool in ("curl", "jq"):
            if shutil.which(tool) is None:
                raise AssertionError(f"{tool} is missing: scripts/install-deps.sh installs it")
        cls.data_dir = tempfile.mkdtemp(prefix="abq", dir="/tmp")
        cls.addClassCleanup(shutil.rmtree, cls.data_dir, True)
        # Like `make run`: no database URL, no secrets in the environment, default workers.
        cls.server = Server(None, data_dir=cls.data_dir, admin_token=None, jwt_secret=None,
                            workers=2)
        cls.addClassCleanup(cls.server.cleanup)
        # SIGTERM first, whatever happened: the server stops its embedded PostgreSQL.
        cls.addClassCleanup(cls.server.stop, expect_code=None)
        cls.server.start()
        with open(os.path.join(cls.data_dir, "secrets", "admin_token")) as f:
            cls.server.admin_token = f.read().strip()

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def env(self, **extra) -> dict:
        # The token comes from <data dir>/secrets/admin_token, as after `make run`.
        return base_env(**{"BASE_URL": self.server.base_url, "AUTOBLOG_DATA_DIR": self.data_dir,
                           **extra})

    def test_quickstart_runs_and_leaves_what_it_says(self):
        cp = run_quickstart(self.env())
        self.assertEqual(cp.returncode, 0, describe(cp))
        m = re.search(r"Quick start done: tenant (\S+), content item (\S+)\.", cp.stdout)
        self.assertIsNotNone(m, describe(cp))
        tenant_id, content_id = m.group(1), m.group(2)
        self.assertRegex(tenant_id, UUID_RE)
        self.assertRegex(content_id, UUID_RE)
        # Every step announced itself.
        for step in ("Create a tenant", "Mint a token", "Set the brand", "Create a content item",
                     "brief", "Generate the article", "Approve it", "Upload a file",
                     "List the files", "tenant's health"):
            self.assertIn(step, cp.stdout, describe(cp))
        self.assertIn('"status":"healthy"', cp.stdout.replace(" ", ""), describe(cp))

        # And the server holds what the script claims to have done.
        status, _, tenant = self.admin("GET", f"/v1/admin/tenants/{tenant_id}")
        self.assertEqual(status, 200, tenant)
        self.assertEqual(tenant["subscription_tier"], "growth")
        token = self.server.tenant_token(tenant_id)
        status, _, brand = self.req("GET", "/v1/brand", token=token)
        self.assertEqual(status, 200, brand)
        self.assertEqual(brand["topics"], ["home espresso", "coffee gear"])
        status, _, item = self.req("GET", f"/v1/content/{content_id}", token=token)
        self.assertEqual(status, 200, item)
        # Generated end to end with nothing configured (the template provider), then approved.
        self.assertEqual(item["status"], "approved", item)
        self.assertEqual(item["content_brief"]["words"], 900)
        self.assertEqual(item["generation"]["provider"], "template", item)
        self.assertTrue(item["generated_content"]["body_markdown"], item)
        self.assertIn("overall", item["quality_scores"])
        status, headers, image = self.req("GET", item["visual_assets"]["hero"]["url"], token=token)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "image/svg+xml")
        self.assertTrue(image.startswith(b"<svg"), image[:40])
        status, headers, data = self.req("GET", "/v1/files/quickstart/hello.txt", token=token)
        self.assertEqual(status, 200)
        self.assertEqual(data, b"Hello from the AutoBlog quick start.")
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers)

    def test_quickstart_runs_twice(self):
        # A user may paste it again: the second run makes a second tenant, no conflict.
        first = run_quickstart(self.env())
        second = run_quickstart(self.env())
        self.assertEqual(first.returncode, 0, describe(first))
        self.assertEqual(second.returncode, 0, describe(second))

    def test_wrong_admin_token_fails_with_the_servers_reason(self):
        cp = run_quickstart(self.env(ADMIN_TOKEN="not-the-admin-token-at-all"))
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("HTTP 401", cp.stderr, describe(cp))
        self.assertIn("unauthorized", cp.stderr, describe(cp))
        self.assertNotIn("Quick start done", cp.stdout)

    def test_no_server_fails_clearly(self):
        cp = run_quickstart(self.env(BASE_URL=f"http://127.0.0.1:{free_port()}"))
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("no healthy server", cp.stderr, describe(cp))

    def test_no_admin_token_anywhere_fails_clearly(self):
        empty = tempfile.mkdtemp(prefix="abq", dir="/tmp")
        self.addCleanup(shutil.rmtree, empty, True)
        cp = run_quickstart(base_env(BASE_URL=self.server.base_url, AUTOBLOG_DATA_DIR=empty))
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("no admin token", cp.stderr, describe(cp))


if __name__ == "__main__":
    unittest.main(verbosity=2)
