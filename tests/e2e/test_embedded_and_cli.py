"""E2E: embedded default (private PostgreSQL under the data dir, generated secrets) and the
operator CLI (docs/configuration.md)."""
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import time
import unittest

from harness import (JWT_RE, TENANT_KEYS, UUID_RE, E2ETestCase, Server, base_env, describe,
                     drop_database, free_port, fresh_database, jwt_claims, pid_alive,
                     postgres_processes_mentioning, psql, random_uuid, run_cli, wait_until)

TOKEN_CANDIDATE_RE = re.compile(r"[A-Za-z0-9._~+/-]{16,}={0,2}")


def walk_non_pg_files(data_dir):
    """Regular files under data_dir, skipping PostgreSQL clusters (dirs holding PG_VERSION)
    and object storage."""
    for root, dirs, files in os.walk(data_dir):
        if "PG_VERSION" in files:
            dirs[:] = []
            continue
        if os.path.relpath(root, data_dir).split(os.sep)[0] == "storage":
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                yield path, stat.S_IMODE(st.st_mode), st.st_size


def postmaster_pids(data_dir):
    pids = []
    for root, dirs, files in os.walk(data_dir):
        if "postmaster.pid" in files:
            try:
                with open(os.path.join(root, "postmaster.pid")) as f:
                    pids.append(int(f.readline().strip()))
            except (OSError, ValueError):
                pass
    return pids


class EmbeddedTest(E2ETestCase):
    """No AUTOBLOG_DATABASE_URL: the server runs its own cluster under the data dir."""

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="ab", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        self.addCleanup(self.kill_leftover_postgres)
        self.server = Server(None, data_dir=self.data_dir, admin_token=None, jwt_secret=None,
                             ready_timeout=60)
        self.addCleanup(self.server.kill)
        self.after_run.append(self.server.cleanup)  # keep the logs until they were printed

    def kill_leftover_postgres(self):
        # Only the cluster that this test's server started (identified by its data dir).
        pids = [p for p in postmaster_pids(self.data_dir) if pid_alive(p)]
        if pids and postgres_processes_mentioning(self.data_dir):
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGQUIT)
                except OSError:
                    pass
            wait_until(lambda: not any(pid_alive(p) for p in pids), 10.0)

    def admin_token_works(self, candidate):
        status, _, _ = self.server.request("GET", "/v1/admin/tenants?limit=1", token=candidate)
        return status == 200

    def discover_admin_token(self):
        output = self.server.read_output()
        tried = set()
        printed = None
        for cand in TOKEN_CANDIDATE_RE.findall(output):
            if cand in tried or len(tried) > 300:
                continue
            tried.add(cand)
            if self.admin_token_works(cand):
                printed = cand
                break
        self.assertIsNotNone(printed, "could not find a working admin token in the server's "
                                      "output (docs/configuration.md: printed once when generated)\n"
                             + self.server.logs())
        return printed

    def assert_no_postgres_left(self, pids):
        gone = wait_until(lambda: not postgres_processes_mentioning(self.data_dir) and
                          not any(pid_alive(p) for p in pids), timeout=5.0)
        self.assertTrue(gone, "embedded PostgreSQL still running after the server exited: "
                              f"{postgres_processes_mentioning(self.data_dir)} pids={pids}")

    def test_embedded_lifecycle(self):
        srv = self.server
        srv.start()
        self.assertTrue(postgres_processes_mentioning(self.data_dir),
                        "no postgres process runs on the data dir (expected $DATA_DIR/pg)")
        pids = postmaster_pids(self.data_dir)
        self.assertTrue(pids, "no postmaster.pid under the data dir")

        # --- generated admin token: printed, and kept in a 0600 file in the data dir
        token = self.discover_admin_token()
        srv.admin_token = token
        self.assertGreaterEqual(len(token), 16)
        holders = []
        for path, mode, size in walk_non_pg_files(self.data_dir):
            if size > 1 << 20:
                continue
            with open(path, "rb") as f:
                if token.encode() in f.read():
                    holders.append((path, mode))
        secretish = [(p, m) for p, m, _ in walk_non_pg_files(self.data_dir)
                     if re.search(r"secret|token|key|cred", os.path.basename(p), re.I)]
        if holders:
            for path, mode in holders:
                self.assertEqual(mode, 0o600, f"{path} holds the admin token with mode {oct(mode)}")
        else:
            # the token may be stored hashed; then the secrets file(s) must still be 0600
            self.assertTrue(secretish, "the generated admin token is not kept in the data dir "
                            f"(files: {[p for p, _, _ in walk_non_pg_files(self.data_dir)]})")
        for path, mode in secretish:
            self.assertEqual(mode & 0o077, 0, f"secret file {path} has mode {oct(mode)}")

        # --- data
        tenant = srv.create_tenant("Embedded Co", tier="growth")
        ttoken = srv.tenant_token(tenant["id"], ttl_seconds=7200)
        status, _, item = srv.request("POST", "/v1/content",
                                      {"inspiration_data": {"kept": "across restarts"}},
                                      token=ttoken)
        self.assertEqual(status, 201, item)

        # --- clean shutdown stops the private cluster
        srv.stop()
        self.assertEqual(srv.returncode, 0)
        self.assert_no_postgres_left(pids)

        # --- restart on the same data dir: same secrets, same data, token not printed again
        srv.start()
        new_output = srv.read_output(since_last_start=True)
        self.assertNotIn(token, new_output, "the admin token is printed again on restart")
        self.assertTrue(self.admin_token_works(token), "generated admin token changed on restart")
        status, _, got = srv.admin("GET", f"/v1/admin/tenants/{tenant['id']}")
        self.assertEqual(status, 200, got)
        self.assertEqual(got, tenant)
        status, _, me = srv.request("GET", "/v1/tenant", token=ttoken)
        self.assertEqual(status, 200, f"tenant JWT from before the restart refused: {me!r} "
                                      "(JWT secret not kept?)")
        status, _, got_item = srv.request("GET", f"/v1/content/{item['id']}", token=ttoken)
        self.assertEqual(status, 200, got_item)
        self.assertEqual(got_item, item)
        pids = postmaster_pids(self.data_dir)
        srv.stop()
        self.assert_no_postgres_left(pids)


class CliTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("cli")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        cls.env = base_env(AUTOBLOG_DATABASE_URL=cls.db, AUTOBLOG_DATA_DIR=cls.server.data_dir,
                           AUTOBLOG_JWT_SECRET=cls.server.jwt_secret,
                           AUTOBLOG_ADMIN_TOKEN=cls.server.admin_token,
                           AUTOBLOG_LOG_LEVEL="warn")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def cli(self, *args, ok=True, env=None):
        cp = run_cli(list(args), env=env or self.env)
        if ok:
            self.assertEqual(cp.returncode, 0, describe(cp))
        return cp

    def cli_json(self, *args):
        cp = self.cli(*args)
        try:
            return json.loads(cp.stdout)
        except ValueError:
            self.fail("stdout is not JSON\n" + describe(cp))

    def assertListsSubcommands(self, cp, names):
        for name in names:
            self.assertRegex(cp.stdout, rf"(?m)^\s+{name}\s", f"subcommand {name} not listed\n"
                             + describe(cp))

    def test_help(self):
        cp = self.cli("--help")
        self.assertListsSubcommands(cp, ("serve", "migrate", "tenant"))
        cp = self.cli("tenant", "--help")
        self.assertListsSubcommands(cp, ("create", "list", "show", "suspend", "activate",
                                         "delete", "token"))
        self.cli("migrate", "--help")
        cp = self.cli("no-such-command", ok=False)
        self.assertNotEqual(cp.returncode, 0, describe(cp))

    def test_serve_help_lists_its_flags(self):
        # docs/configuration.md: `serve` flags --listen, --data-dir, --workers
        cp = self.cli("serve", "--help")
        for flag in ("--listen", "--data-dir", "--workers"):
            self.assertIn(flag, cp.stdout, describe(cp))

    def test_tenant_lifecycle(self):
        t = self.cli_json("tenant", "create", "--name", "CLI Tenant", "--tier", "growth")
        self.assertEqual(set(t), TENANT_KEYS, t)
        self.assertRegex(t["id"], UUID_RE)
        self.assertEqual(t["name"], "CLI Tenant")
        self.assertEqual(t["subscription_tier"], "growth")
        self.assertEqual(t["status"], "active")
        tid = t["id"]

        # same database as the running server: the API sees it
        status, _, api = self.server.admin("GET", f"/v1/admin/tenants/{tid}")
        self.assertEqual(status, 200, api)
        # the admin API adds the tenant's limits (overrides and effective) to the same fields
        self.assertEqual({k: v for k, v in api.items() if k in TENANT_KEYS}, t)
        self.assertEqual(api["limits"], {})

        lst = self.cli_json("tenant", "list", "--json")
        self.assertIsInstance(lst, list, lst)
        self.assertIn(tid, [x["id"] for x in lst])

        cp = self.cli("tenant", "list")
        self.assertIn(tid, cp.stdout, "plain `tenant list` should show the tenant")

        shown = self.cli_json("tenant", "show", tid)
        self.assertEqual(shown, t)

        # token
        before = time.time()
        cp = self.cli("tenant", "token", tid, "--ttl", "600")
        token = None
        try:
            out = json.loads(cp.stdout)
            token = out.get("token") if isinstance(out, dict) else None
        except ValueError:
            pass
        if token is None:
            m = JWT_RE.search(cp.stdout)
            self.assertIsNotNone(m, "no JWT on stdout\n" + describe(cp))
            token = m.group(0)
        claims = jwt_claims(token)
        self.assertEqual(claims.get("tenant_id"), tid)
        self.assertTrue(600 - 60 <= claims["exp"] - before <= 600 + 60, claims)
        status, _, me = self.server.request("GET", "/v1/tenant", token=token)
        self.assertEqual(status, 200, me)
        self.assertEqual(me["id"], tid)

        # suspend / activate take effect on the running server
        self.cli("tenant", "suspend", tid)
        self.assertEqual(self.cli_json("tenant", "show", tid)["status"], "suspended")
        refused = wait_until(lambda: self.server.request("GET", "/v1/tenant",
                                                         token=token)[0] == 403, 2.0)
        self.assertTrue(refused, "server still serves a tenant suspended via CLI after 2 s")
        self.cli("tenant", "activate", tid)
        self.assertEqual(self.cli_json("tenant", "show", tid)["status"], "active")
        back = wait_until(lambda: self.server.request("GET", "/v1/tenant",
                                                      token=token)[0] == 200, 2.0)
        self.assertTrue(back, "server still refuses a tenant re-activated via CLI after 2 s")

        # delete
        self.cli("tenant", "delete", "--yes", tid)
        cp = self.cli("tenant", "show", tid, ok=False)
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertTrue(cp.stderr.strip(), describe(cp))
        status, _, body = self.server.admin("GET", f"/v1/admin/tenants/{tid}")
        self.assertEqual(status, 404, body)
        gone = wait_until(lambda: self.server.request("GET", "/v1/tenant",
                                                      token=token)[0] == 403, 2.0)
        self.assertTrue(gone, "deleted tenant's token still accepted")
        lst = self.cli_json("tenant", "list", "--json")
        self.assertNotIn(tid, [x["id"] for x in lst])

    def test_list_escapes_names_stored_before_validation(self):
        """A name the API refuses today may still be in the registry (written before the rule):
        `tenant list` must not send its control/bidi characters to the operator's terminal;
        `--json` and `show` stay JSON with the same value (escaped as \\uXXXX)."""
        t = self.cli_json("tenant", "create", "--name", "Legacy Name")
        evil = "evil\x1b]0;owned\x07\x1b[2J\u202etxt.exe\u009b31m\u2066x\u2069\x7f"
        literal = " || ".join(f"chr({ord(c)})" for c in evil)  # independent of client encoding
        psql(self.db, f"UPDATE autoblog_core.tenants SET name = {literal} "
                      f"WHERE id = '{t['id']}'")
        cp = self.cli("tenant", "list")
        line = next((ln for ln in cp.stdout.splitlines() if t["id"] in ln), None)
        self.assertIsNotNone(line, describe(cp))
        self.assertIn("evil\\u{1B}]0;owned\\u{7}\\u{1B}[2J\\u{202E}txt.exe\\u{9B}31m"
                      "\\u{2066}x\\u{2069}\\u{7F}", line)
        for cp in (cp, self.cli("tenant", "list", "--json"), self.cli("tenant", "show", t["id"])):
            for ch in ("\x1b", "\x07", "\x7f", "\u009b", "\u202e", "\u2066", "\u2069"):
                self.assertNotIn(ch, cp.stdout, f"raw {ch!r} on stdout\n" + describe(cp))
        listed = {x["id"]: x for x in self.cli_json("tenant", "list", "--json")}
        self.assertEqual(listed[t["id"]]["name"], evil)
        self.assertEqual(self.cli_json("tenant", "show", t["id"])["name"], evil)
        # the CLI refuses such a name itself, like the API
        cp = self.cli("tenant", "create", "--name", "bad\u202ename", ok=False)
        self.assertNotEqual(cp.returncode, 0, describe(cp))
        self.assertIn("bidirectional", cp.stderr, describe(cp))

    def test_default_tier(self):
        t = self.cli_json("tenant", "create", "--name", "Default Tier")
        self.assertEqual(t["subscription_tier"], "starter")

    def test_unknown_and_invalid(self):
        for args in (("tenant", "show", random_uuid()),
                     ("tenant", "suspend", random_uuid()),
                     ("tenant", "delete", "--yes", random_uuid()),
                     ("tenant", "token", random_uuid()),
                     ("tenant", "show", "not-a-uuid"),
                     ("tenant", "create", "--name", "x", "--tier", "platinum"),
                     ("tenant", "create")):
            with self.subTest(args=args):
                cp = self.cli(*args, ok=False)
                self.assertNotEqual(cp.returncode, 0, describe(cp))
                self.assertTrue(cp.stderr.strip(), "expected a message on stderr\n"
                                + describe(cp))
        cp = self.cli("tenant", "token", random_uuid(), "--ttl", "0", ok=False)
        self.assertNotEqual(cp.returncode, 0, describe(cp))

    def test_config_errors(self):
        tmp = tempfile.mkdtemp(prefix="abc", dir="/tmp")
        self.addCleanup(shutil.rmtree, tmp, True)
        listen = f"127.0.0.1:{free_port()}"
        cases = [
            ("--listen nonsense", ["serve", "--listen", "nonsense", "--workers", "0"], {}),
            ("--listen bad port", ["serve", "--listen", "127.0.0.1:99999", "--workers", "0"], {}),
            ("--workers -1", ["serve", "--listen", listen, "--workers", "-1"], {}),
            ("AUTOBLOG_DB_POOL_SIZE=0", ["serve", "--listen", listen, "--workers", "0"],
             {"AUTOBLOG_DB_POOL_SIZE": "0"}),
            ("AUTOBLOG_JWT_SECRET=short", ["serve", "--listen", listen, "--workers", "0"],
             {"AUTOBLOG_JWT_SECRET": "short"}),
            ("AUTOBLOG_ADMIN_TOKEN=short", ["serve", "--listen", listen, "--workers", "0"],
             {"AUTOBLOG_ADMIN_TOKEN": "short"}),
            ("AUTOBLOG_MAX_BODY_BYTES=abc", ["serve", "--listen", listen, "--workers", "0"],
             {"AUTOBLOG_MAX_BODY_BYTES": "abc"}),
            ("AUTOBLOG_LOG_LEVEL=loud", ["serve", "--listen", listen, "--workers", "0"],
             {"AUTOBLOG_LOG_LEVEL": "loud"}),
        ]
        for why, args, extra in cases:
            with self.subTest(why=why):
                env = dict(self.env, AUTOBLOG_DATA_DIR=tmp, **extra)
                cp = run_cli(args, env=env, timeout=30)
                self.assertEqual(cp.returncode, 2, describe(cp))
                lines = [l for l in cp.stderr.splitlines() if l.strip()]
                self.assertEqual(len(lines), 1, "expected exactly one line on stderr\n"
                                 + describe(cp))
                self.assertTrue(lines[0].startswith("autoblog: config error"), describe(cp))
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    unittest.main()
