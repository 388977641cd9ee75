"""E2E: the operator files of deploy/ and scripts/ — the systemd unit passes
`systemd-analyze verify`, the example environment file names every setting the server reads
and its values are valid, and scripts/backup.sh + scripts/restore.sh bring an embedded data dir
back (database, files and secrets) into a fresh data dir."""
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import REPO_ROOT, E2ETestCase, Server, autoblog_bin, base_env, run_cli

UNIT = REPO_ROOT / "deploy" / "autoblog.service"
ENV_EXAMPLE = REPO_ROOT / "deploy" / "autoblog.env.example"
CONFIG_DOC = REPO_ROOT / "docs" / "configuration.md"
BACKUP = REPO_ROOT / "scripts" / "backup.sh"
RESTORE = REPO_ROOT / "scripts" / "restore.sh"
INSTALLED_BIN = "/usr/local/bin/autoblog"
# Values in the example that are placeholders for the operator's own, not defaults.
PLACEHOLDERS = {"AUTOBLOG_DATABASE_URL", "AUTOBLOG_REDIS_URL", "AUTOBLOG_S3_ENDPOINT",
                "AUTOBLOG_S3_BUCKET", "AUTOBLOG_S3_REGION", "AUTOBLOG_S3_ACCESS_KEY",
                "AUTOBLOG_S3_SECRET_KEY", "AUTOBLOG_DATA_DIR", "AUTOBLOG_PG_BIN"}


def describe(cp: subprocess.CompletedProcess) -> str:
    return (f"{cp.args} exited {cp.returncode}\n--- stdout ---\n{cp.stdout}"
            f"\n--- stderr ---\n{cp.stderr}")


def settings_read_by_server() -> set[str]:
    """Every AUTOBLOG_* name the server's sources read (as a string literal)."""
    names = set()
    for path in (REPO_ROOT / "src").rglob("*.cpp"):
        names.update(re.findall(r'"(AUTOBLOG_[A-Z0-9_]+)"', path.read_text()))
    return names


def example_lines() -> dict[str, str]:
    """NAME -> value of every `NAME=value` line of the example, commented out or not."""
    out = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        m = re.match(r"^#?(AUTOBLOG_[A-Z0-9_]+)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


class SystemdUnitTest(unittest.TestCase):

    def verify(self, unit_text: str) -> subprocess.CompletedProcess:
        """`systemd-analyze verify` on a copy of the unit whose ExecStart names the built binary
        (verify insists that the binary exists)."""
        d = tempfile.mkdtemp(prefix="abunit")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "autoblog.service")
        with open(path, "w") as f:
            f.write(unit_text.replace(INSTALLED_BIN, autoblog_bin()))
        return subprocess.run(["systemd-analyze", "verify", path], capture_output=True,
                              text=True, timeout=60)

    def test_unit_verifies_without_a_warning(self):
        if shutil.which("systemd-analyze") is None:
            self.fail("systemd-analyze is missing: scripts/install-deps.sh installs systemd")
        text = UNIT.read_text()
        self.assertIn(f"ExecStart={INSTALLED_BIN} serve", text)
        cp = self.verify(text)
        self.assertEqual(cp.returncode, 0, describe(cp))
        # verify only warns (exit 0) about unknown keys and unparsable values: none allowed.
        self.assertEqual(cp.stderr.strip(), "", describe(cp))

    def test_verify_catches_a_broken_unit(self):
        # The check above can fail: a misspelt option and a bad value are reported.
        text = UNIT.read_text().replace("NoNewPrivileges=yes", "NoNewPrivilege=yes\nProtectHome=maybe")
        cp = self.verify(text)
        self.assertIn("NoNewPrivilege", cp.stderr, describe(cp))
        self.assertIn("maybe", cp.stderr, describe(cp))
        cp = self.verify(text.replace(INSTALLED_BIN, "/nonexistent/autoblog"))
        self.assertNotEqual(cp.returncode, 0, describe(cp))

    def test_unit_hardening_and_shutdown(self):
        text = UNIT.read_text()
        for line in ("User=autoblog", "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ReadWritePaths=/var/lib/autoblog", "Restart=on-failure",
                     "EnvironmentFile=-/etc/autoblog/autoblog.env", "KillMode=mixed",
                     "StateDirectory=autoblog"):
            self.assertIn(f"\n{line}\n", text)
        self.assertIn("--data-dir /var/lib/autoblog", text)
        # systemd must wait longer than the server's own drain (AUTOBLOG_SHUTDOWN_TIMEOUT_MS,
        # default 10 s, plus up to 5 s of cancelled requests) and the PostgreSQL stop.
        stop = int(re.search(r"^TimeoutStopSec=(\d+)$", text, re.M).group(1))
        drain = int(example_lines()["AUTOBLOG_SHUTDOWN_TIMEOUT_MS"]) / 1000
        self.assertGreater(stop, drain + 5 + 10)


class EnvExampleAndDocsTest(unittest.TestCase):

    def test_every_setting_is_in_the_example_and_the_docs(self):
        read = settings_read_by_server()
        self.assertGreater(len(read), 30, read)
        example = example_lines()
        doc = CONFIG_DOC.read_text()
        missing_example = sorted(read - set(example))
        missing_doc = sorted(n for n in read if f"`{n}`" not in doc)
        self.assertEqual(missing_example, [], "settings missing from deploy/autoblog.env.example")
        self.assertEqual(missing_doc, [], "settings missing from docs/configuration.md")
        # Nothing documented that does not exist (planned ones say so in the docs).
        self.assertEqual(sorted(set(example) - read - {"AUTOBLOG_DB_STATEMENT_CACHE_SIZE"}), [])

    def config_check(self, env: dict) -> subprocess.CompletedProcess:
        """Config is validated before anything starts: exit 2 = config error. The database URL
        points nowhere, so a valid configuration fails later, to connect (exit 1)."""
        d = tempfile.mkdtemp(prefix="abenv")
        self.addCleanup(shutil.rmtree, d, True)
        env = base_env(**env, AUTOBLOG_DATABASE_URL=f"postgresql://nobody@/x?host={d}/nosocket"
                       "&connect_timeout=2")
        return run_cli(["tenant", "list", "--data-dir", d], env=env)

    def test_example_values_are_valid(self):
        # Every line uncommented at once, exactly as systemd would read it (everything after
        # `=` is the value, so an inline comment would break it).
        values = {k: v for k, v in example_lines().items() if k not in PLACEHOLDERS}
        cp = self.config_check(values)
        self.assertNotIn("config error", cp.stderr, describe(cp))
        self.assertEqual(cp.returncode, 1, describe(cp))

    def test_config_check_catches_a_bad_value(self):
        values = {k: v for k, v in example_lines().items() if k not in PLACEHOLDERS}
        values["AUTOBLOG_DB_POOL_SIZE"] = "16   # connections"
        cp = self.config_check(values)
        self.assertEqual(cp.returncode, 2, describe(cp))
        self.assertIn("config error", cp.stderr, describe(cp))


class DocsTest(unittest.TestCase):
    """The user-facing docs stand on their own: no pointer to documents a clone does not have,
    and every relative link (and #anchor) resolves."""

    DOCS = [REPO_ROOT / "README.md", REPO_ROOT / "bench" / "README.md",
            *sorted((REPO_ROOT / "docs").glob("*.md"))]

    @staticmethod
    def anchors(path) -> set[str]:
        out = set()
        for line in path.read_text().splitlines():
            m = re.match(r"^#+ (.*)$", line)
            if m:  # GitHub's slugs: lower case, punctuation dropped, spaces to hyphens
                slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
                out.add(slug)
        return out

    def test_no_pointers_outside_the_repo(self):
        bad = re.compile(r"DESIGN|NOTES\.md|\.\./shared|seed flaw|/work/")
        for doc in self.DOCS:
            for n, line in enumerate(doc.read_text().splitlines(), 1):
                self.assertIsNone(bad.search(line), f"{doc.relative_to(REPO_ROOT)}:{n}: {line}")

    def test_relative_links_resolve(self):
        checked = 0
        for doc in self.DOCS:
            for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text()):
                if re.match(r"^[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                dest = (doc.parent / path).resolve() if path else doc
                where = f"{doc.relative_to(REPO_ROOT)} -> {target}"
                self.assertTrue(dest.exists(), where)
                if anchor:
                    self.assertIn(anchor, self.anchors(dest), where)
                checked += 1
        self.assertGreater(checked, 10)


def run_script(script, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=base_env())


class BackupRestoreTest(E2ETestCase):
    """An embedded server's data, backed up while it runs and while it is stopped, restored
    into fresh data dirs and read back through the API."""

    @classmethod
    def new_server(cls, data_dir: str) -> Server:
        srv = Server(None, data_dir=data_dir, admin_token=None, jwt_secret=None)
        cls.addClassCleanup(srv.cleanup)
        cls.addClassCleanup(srv.stop, expect_code=None)  # SIGTERM stops its PostgreSQL
        return srv

    @staticmethod
    def admin_token_of(data_dir: str) -> str:
        with open(os.path.join(data_dir, "secrets", "admin_token")) as f:
            return f.read().strip()

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="abbk", dir="/tmp")
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        os.chmod(cls.root, 0o711)  # as root, PostgreSQL runs as `postgres` and must pass through
        cls.data = os.path.join(cls.root, "data")
        cls.server = cls.new_server(cls.data).start()
        cls.server.admin_token = cls.admin_token_of(cls.data)
        tenant, cls.token = cls.server.new_tenant_with_token(tier="growth", name="Backup Bakery")
        cls.tenant_id = tenant["id"]
        s = cls.server
        st, _, _ = s.request("PUT", "/v1/brand", {"voice_tone": {"tone": "crisp"},
                                                  "topics": ["sourdough"]}, token=cls.token)
        assert st == 200, st
        st, _, item = s.request("POST", "/v1/content", {"inspiration_data": {"idea": "crumb"}},
                                token=cls.token)
        assert st == 201, item
        cls.content_id = item["id"]
        st, _, _ = s.request("PUT", "/v1/files/recipes/levain.txt", b"flour, water, time",
                             token=cls.token, headers={"Content-Type": "text/plain"})
        assert st == 201, st  # created

        # Online backup, then a change the backup must not contain.
        cls.online = os.path.join(cls.root, "backup-online")
        cls.online_run = run_script(BACKUP, cls.data, cls.online)
        st, _, later = s.request("POST", "/v1/content", {"inspiration_data": {"idea": "later"}},
                                 token=cls.token)
        assert st == 201, later
        cls.later_id = later["id"]
        cls.server.stop()
        # Offline backup of the stopped data dir: holds the later item too.
        cls.offline = os.path.join(cls.root, "backup-offline")
        cls.offline_run = run_script(BACKUP, cls.data, cls.offline)

    def restore_and_serve(self, backup: str, name: str) -> Server:
        target = os.path.join(self.root, name)
        cp = run_script(RESTORE, backup, target)
        self.assertEqual(cp.returncode, 0, describe(cp))
        srv = self.new_server(target)
        srv.start()
        srv.admin_token = self.admin_token_of(target)
        self.server = srv  # logs of this one on failure
        return srv

    def check_restored(self, srv: Server, expect_later: bool):
        # The admin token and the tenant's token from before the backup still work: the secrets
        # came back with the data.
        self.assertEqual(srv.admin_token, self.admin_token_of(self.data))
        st, _, tenant = srv.admin("GET", f"/v1/admin/tenants/{self.tenant_id}")
        self.assertEqual(st, 200, tenant)
        self.assertEqual((tenant["name"], tenant["subscription_tier"]), ("Backup Bakery", "growth"))
        st, _, brand = srv.request("GET", "/v1/brand", token=self.token)
        self.assertEqual((st, brand["topics"]), (200, ["sourdough"]), brand)
        st, _, item = srv.request("GET", f"/v1/content/{self.content_id}", token=self.token)
        self.assertEqual((st, item["inspiration_data"]), (200, {"idea": "crumb"}), item)
        st, _, later = srv.request("GET", f"/v1/content/{self.later_id}", token=self.token)
        self.assertEqual(st, 200 if expect_later else 404, later)
        st, headers, data = srv.request("GET", "/v1/files/recipes/levain.txt", token=self.token)
        self.assertEqual((st, data), (200, b"flour, water, time"))
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers)
        # And it is a working server, not a read-only copy.
        st, _, _ = srv.request("POST", "/v1/content", {"inspiration_data": {"idea": "new"}},
                               token=self.token)
        self.assertEqual(st, 201)

    def test_online_backup_restores_as_of_the_backup(self):
        self.assertEqual(self.online_run.returncode, 0, describe(self.online_run))
        self.assertIn("pg_basebackup", self.online_run.stdout)
        self.assertEqual(os.stat(self.online).st_mode & 0o777, 0o700)
        srv = self.restore_and_serve(self.online, "restored-online")
        self.check_restored(srv, expect_later=False)
        srv.stop()

    def test_offline_backup_restores_everything(self):
        self.assertEqual(self.offline_run.returncode, 0, describe(self.offline_run))
        self.assertIn("stopped", self.offline_run.stdout)
        srv = self.restore_and_serve(self.offline, "restored-offline")
        self.check_restored(srv, expect_later=True)
        srv.stop()

    def test_restore_for_another_user(self):
        # As root for the systemd unit's user: the data dir and the cluster become theirs.
        if os.geteuid() != 0:
            self.skipTest("needs root")
        target = os.path.join(self.root, "for-nobody")
        cp = run_script(RESTORE, self.offline, target, "nobody")
        self.assertEqual(cp.returncode, 0, describe(cp))
        for rel in ("", "pg/data", "pg/data/PG_VERSION", "secrets", "secrets/admin_token",
                    "storage"):
            st = os.stat(os.path.join(target, rel))
            self.assertEqual(pwd.getpwuid(st.st_uid).pw_name, "nobody", rel)
        self.assertEqual(os.stat(os.path.join(target, "secrets", "jwt_secret")).st_mode & 0o777,
                         0o600)
        cp = run_script(RESTORE, self.offline, os.path.join(self.root, "never"), "no-such-user")
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("no user", cp.stderr)

    def test_refusals(self):
        # A restore never overwrites: the original data dir is not empty.
        cp = run_script(RESTORE, self.offline, self.data)
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("not empty", cp.stderr)
        # A backup never overwrites either.
        cp = run_script(BACKUP, self.data, self.offline)
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("exists already", cp.stderr)
        # Not a backup / not a data dir with an embedded cluster.
        empty = tempfile.mkdtemp(prefix="abbk", dir="/tmp")
        self.addCleanup(shutil.rmtree, empty, True)
        cp = run_script(RESTORE, empty, os.path.join(self.root, "never"))
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("not a backup", cp.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.root, "never")))
        cp = run_script(BACKUP, empty, os.path.join(self.root, "never"))
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("no embedded PostgreSQL cluster", cp.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.root, "never")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
