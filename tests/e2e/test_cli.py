"""E2E: the `autoblog` command line as a person meets it — --version, unknown commands named in
the error, `tenant update`, confirmation before `tenant delete`, `tenant list --all`, read-only
commands that refuse a data dir without a database, `--listen` with a host name, a port in use as
one line, quiet terminals, and the API's wording for a taken domain."""
import json
import os
import pty
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from harness import (REPO_ROOT, E2ETestCase, autoblog_bin, base_env, describe, drop_database,
                     free_port, fresh_database, postgres_processes_mentioning, psql, random_uuid,
                     run_cli, wait_until)


def stderr_lines(cp):
    return [line for line in cp.stderr.splitlines() if line.strip()]


def project_version():
    text = (REPO_ROOT / "CMakeLists.txt").read_text()
    m = re.search(r"project\(\s*autoblog\s+VERSION\s+([0-9][0-9.]*)", text)
    assert m, "no project(autoblog VERSION x.y.z) in CMakeLists.txt"
    return m.group(1)


class WithoutDatabaseTest(unittest.TestCase):
    """What needs no database at all: --version, usage errors, a missing data dir, --listen."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="abcli", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_in_tmp(self, args, env=None, timeout=60):
        cmd = [autoblog_bin(), *args]
        return subprocess.run(cmd, env=env or base_env(), cwd=self.tmp, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def assert_usage_error(self, cp, text):
        self.assertEqual(cp.returncode, 2, describe(cp))
        lines = stderr_lines(cp)
        self.assertEqual(len(lines), 1, describe(cp))
        self.assertIn(text, lines[0], describe(cp))
        self.assertEqual(cp.stdout, "", describe(cp))

    def test_version(self):
        cp = run_cli(["--version"])
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.assertRegex(cp.stdout.strip(),
                         rf"^autoblog {re.escape(project_version())}( \([0-9A-Za-z._-]+\))?$")
        if (REPO_ROOT / ".git").exists() and shutil.which("git"):
            rev = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short=7", "HEAD"],
                                 capture_output=True, text=True).stdout.strip()
            if rev:  # built from this checkout: the revision is named
                self.assertRegex(cp.stdout, r"\(.*g?[0-9a-f]{7,}", describe(cp))

    def test_unknown_commands_name_themselves(self):
        cases = [
            (["tenant", "frobnicate"], "unknown command 'frobnicate' for 'autoblog tenant'"),
            (["frobnicate"], "unknown command 'frobnicate' for 'autoblog'"),
            (["tenant", "serve"], "unknown command 'serve' for 'autoblog tenant'"),
            (["tenant", "list", "extra"], "unexpected argument 'extra' for 'autoblog tenant list'"),
            (["tenant", "list", "--bogus"], "unknown option '--bogus' for 'autoblog tenant list'"),
            (["tenant"], "missing command"),
            ([], "missing command"),
        ]
        for args, text in cases:
            with self.subTest(args=args):
                cp = self.run_in_tmp(args)
                self.assert_usage_error(cp, text)
                self.assertIn("--help", cp.stderr)
        self.assertEqual(os.listdir(self.tmp), [], "a usage error created files")

    def test_read_only_commands_refuse_a_missing_data_dir(self):
        missing = os.path.join(self.tmp, "no-such-dir")
        uid = random_uuid()
        commands = [["tenant", "list"], ["tenant", "list", "--all", "--json"],
                    ["tenant", "show", uid], ["tenant", "tokens", uid],
                    ["tenant", "token", uid], ["tenant", "suspend", uid],
                    ["tenant", "update", uid, "--name", "x"], ["tenant", "delete", "--yes", uid],
                    ["tenant", "revoke", uid, random_uuid()]]
        for args in commands:
            with self.subTest(args=args, via="AUTOBLOG_DATA_DIR"):
                cp = self.run_in_tmp(args, env=base_env(AUTOBLOG_DATA_DIR=missing))
                self.assert_usage_error(cp, missing)
                self.assertIn("AUTOBLOG_DATA_DIR", cp.stderr)
                self.assertIn("--data-dir", cp.stderr)
                self.assertFalse(os.path.exists(missing), "the command created the data dir")
        # the default (./var in the working directory) is not created either
        cp = self.run_in_tmp(["tenant", "list"])
        self.assert_usage_error(cp, os.path.join(self.tmp, "var"))
        # an existing directory without a database is refused the same way
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        cp = self.run_in_tmp(["tenant", "show", uid, "--data-dir", empty])
        self.assert_usage_error(cp, empty)
        self.assertEqual(os.listdir(empty), [])
        self.assertEqual(sorted(os.listdir(self.tmp)), ["empty"])
        # --help says which commands create it
        cp = self.run_in_tmp(["--help"])
        self.assertRegex(cp.stdout, r"tenant create.{0,40}create the data dir|create the data "
                                    r"dir", describe(cp))

    def test_listen_name_that_does_not_resolve_is_one_config_line(self):
        data = os.path.join(self.tmp, "data")
        started = time.monotonic()
        cp = self.run_in_tmp(["serve", "--listen", "no-such-host.invalid:8080", "--data-dir",
                              data, "--workers", "0"], timeout=60)
        self.assert_usage_error(cp, "autoblog: config error")
        self.assertIn("no-such-host.invalid", cp.stderr)
        self.assertFalse(os.path.exists(data), "something started before the config error")
        self.assertLess(time.monotonic() - started, 30)

    def test_port_in_use_is_one_line_and_nothing_starts(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            data = os.path.join(self.tmp, "data")
            for listen in (f"127.0.0.1:{port}", f"localhost:{port}"):
                with self.subTest(listen=listen):
                    cp = self.run_in_tmp(["serve", "--listen", listen, "--data-dir", data,
                                          "--workers", "0"])
                    self.assertEqual(cp.returncode, 1, describe(cp))
                    lines = stderr_lines(cp)
                    self.assertEqual(len(lines), 1, describe(cp))
                    self.assertEqual(
                        lines[0], f"autoblog: cannot listen on 127.0.0.1:{port}: address already "
                                  "in use (another process listens there; choose another port)")
                    self.assertEqual(cp.stdout, "", describe(cp))
                    # checked before the embedded database or the secrets were set up
                    self.assertFalse(os.path.exists(data), os.listdir(self.tmp))


class QuietTerminalTest(unittest.TestCase):
    """Operator commands on the embedded database print results, not info-level log lines."""

    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="abq", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.data, True)
        self.addCleanup(self.no_postgres_left)

    def no_postgres_left(self):
        self.assertTrue(wait_until(lambda: not postgres_processes_mentioning(self.data), 10),
                        "the embedded PostgreSQL outlived the CLI")

    def info_lines(self, cp):
        return [line for line in cp.stderr.splitlines() if '"level":"info"' in line]

    def test_info_lines_only_when_asked(self):
        env = base_env(AUTOBLOG_DATA_DIR=self.data)
        # The first command starts a new embedded cluster (the run that logs the most).
        cp = run_cli(["tenant", "create", "--name", "Quiet Co"], env=env)
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.assertEqual(cp.stderr, "", describe(cp))
        tenant = json.loads(cp.stdout)
        cp = run_cli(["tenant", "list"], env=env)
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.assertEqual(cp.stderr, "", describe(cp))
        self.assertIn(tenant["id"], cp.stdout)
        # asked for: --verbose, or AUTOBLOG_LOG_LEVEL=info
        for args, extra in ((["tenant", "list", "--verbose"], {}),
                            (["tenant", "list"], {"AUTOBLOG_LOG_LEVEL": "info"})):
            with self.subTest(args=args, env=extra):
                cp = run_cli(args, env=dict(env, **extra))
                self.assertEqual(cp.returncode, 0, describe(cp))
                self.assertTrue(self.info_lines(cp), describe(cp))
                for line in self.info_lines(cp):
                    json.loads(line)


class TenantCommandsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("cli_tenant")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)
        cls.env = base_env(AUTOBLOG_DATABASE_URL=cls.db, AUTOBLOG_DATA_DIR=cls.server.data_dir,
                           AUTOBLOG_JWT_SECRET=cls.server.jwt_secret,
                           AUTOBLOG_ADMIN_TOKEN=cls.server.admin_token)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def cli(self, *args, code=0):
        cp = run_cli(list(args), env=self.env)
        self.assertEqual(cp.returncode, code, describe(cp))
        if code == 0:
            self.assertEqual(cp.stderr, "", describe(cp))  # no log lines on a quiet terminal
        else:
            self.assertEqual(len(stderr_lines(cp)), 1, describe(cp))
        return cp

    def create(self, name, **kw):
        args = ["tenant", "create", "--name", name]
        for k, v in kw.items():
            args += [f"--{k}", v]
        return json.loads(self.cli(*args).stdout)

    def limits_of(self, tid):
        return json.loads(psql(self.db, "SELECT limits::text FROM autoblog_core.tenants "
                                        f"WHERE id = '{tid}'"))

    def test_update_goes_through_the_same_rules_as_patch(self):
        t = self.create("Update Me", domain=f"u-{random_uuid()[:8]}.example")
        tid = t["id"]
        cp = self.cli("tenant", "update", tid, "--name", "Updated", "--tier", "growth",
                      "--limit", "requests_per_hour=5", "--limit", "ai_model=gpt-test",
                      "--limit", "image_quality=hd")
        got = json.loads(cp.stdout)
        self.assertEqual((got["id"], got["name"], got["subscription_tier"], got["domain"]),
                         (tid, "Updated", "growth", t["domain"]))
        self.assertEqual(self.limits_of(tid),
                         {"requests_per_hour": 5, "ai_model": "gpt-test", "image_quality": "hd"})
        status, _, api = self.admin("GET", f"/v1/admin/tenants/{tid}")
        self.assertEqual(status, 200, api)
        self.assertEqual((api["name"], api["subscription_tier"]), ("Updated", "growth"))

        # KEY= and KEY=null clear an override; the others stay
        self.cli("tenant", "update", tid, "--limit", "requests_per_hour=", "--limit",
                 "ai_model=null")
        self.assertEqual(self.limits_of(tid), {"image_quality": "hd"})

        # the domain: a new one, then cleared
        new_domain = f"n-{random_uuid()[:8]}.example"
        got = json.loads(self.cli("tenant", "update", tid, "--domain", new_domain.upper()).stdout)
        self.assertEqual(got["domain"], new_domain)  # canonical form, as the API stores it
        got = json.loads(self.cli("tenant", "update", tid, "--clear-domain").stdout)
        self.assertIsNone(got["domain"])

    def test_update_errors_are_one_line_with_the_apis_words(self):
        tid = self.create("Strict")["id"]
        invalid = [
            (["--limit", "requests_per_hour=abc"], {"limits": {"requests_per_hour": "abc"}}),
            (["--limit", "requests_per_hour=0"], {"limits": {"requests_per_hour": 0}}),
            (["--limit", "no_such_limit=1"], {"limits": {"no_such_limit": 1}}),
            (["--limit", "image_quality=ultra"], {"limits": {"image_quality": "ultra"}}),
            (["--tier", "platinum"], {"subscription_tier": "platinum"}),
            (["--name", ""], {"name": ""}),
            (["--domain", "not a domain"], {"domain": "not a domain"}),
        ]
        for args, body in invalid:
            with self.subTest(args=args):
                status, _, err = self.admin("PATCH", f"/v1/admin/tenants/{tid}", body)
                self.assertEqual(status, 400, err)
                cp = self.cli("tenant", "update", tid, *args, code=2)
                self.assertEqual(stderr_lines(cp)[0], "autoblog: " + err["error"]["message"])
        for args, text in ((["--limit", "nokey"], "KEY=VALUE"),
                           ([], "nothing to change"),
                           (["--domain", "a.example", "--clear-domain"], "excludes")):
            with self.subTest(args=args):
                cp = self.cli("tenant", "update", tid, *args, code=2)
                self.assertIn(text, cp.stderr)
        cp = self.cli("tenant", "update", random_uuid(), "--name", "x", code=1)
        self.assertIn("not found", cp.stderr)
        self.assertEqual(self.limits_of(tid), {}, "a refused update changed something")

    def test_duplicate_domain_reads_as_in_the_api(self):
        domain = f"dup-{random_uuid()[:8]}.example"
        self.create("Has Domain", domain=domain)
        other = self.create("Wants Domain")
        status, _, err = self.admin("POST", "/v1/admin/tenants",
                                    {"name": "API Dup", "domain": domain})
        self.assertEqual(status, 409, err)
        message = err["error"]["message"]
        self.assertIn(domain, message)
        cp = self.cli("tenant", "create", "--name", "CLI Dup", "--domain", domain, code=1)
        self.assertEqual(stderr_lines(cp), ["autoblog: " + message])
        status, _, err = self.admin("PATCH", f"/v1/admin/tenants/{other['id']}",
                                    {"domain": domain})
        self.assertEqual(status, 409, err)
        cp = self.cli("tenant", "update", other["id"], "--domain", domain, code=1)
        self.assertEqual(stderr_lines(cp), ["autoblog: " + err["error"]["message"]])

    def run_on_terminal(self, args, answer):
        """Runs the CLI with a pseudo-terminal as stdin and types `answer` + newline."""
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen([autoblog_bin(), *args], env=self.env, stdin=slave,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            os.close(slave)
            slave = -1
            os.write(master, answer.encode() + b"\n")
            out, err = proc.communicate(timeout=60)
        finally:
            if slave >= 0:
                os.close(slave)
            os.close(master)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def exists(self, tid):
        return self.admin("GET", f"/v1/admin/tenants/{tid}")[0] == 200

    def test_delete_asks_unless_yes(self):
        t = self.create("Keep Me Unless Sure")
        tid = t["id"]
        # no terminal, no --yes: refused, nothing deleted
        cp = self.cli("tenant", "delete", tid, code=2)
        self.assertIn("--yes", cp.stderr)
        self.assertTrue(self.exists(tid))
        # a terminal and the wrong answer: not deleted
        cp = self.run_on_terminal(["tenant", "delete", tid], "Keep Me")
        self.assertEqual(cp.returncode, 1, describe(cp))
        self.assertIn("Keep Me Unless Sure", cp.stderr)  # the prompt names the tenant
        self.assertIn("not confirmed", cp.stderr)
        self.assertTrue(self.exists(tid))
        # the name typed: deleted
        cp = self.run_on_terminal(["tenant", "delete", tid], "Keep Me Unless Sure")
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.assertEqual(cp.stdout.strip(), f"deleted {tid}")
        self.assertFalse(self.exists(tid))
        # the id typed works too; --yes needs no terminal
        t2 = self.create("By Id")
        cp = self.run_on_terminal(["tenant", "delete", t2["id"]], t2["id"])
        self.assertEqual(cp.returncode, 0, describe(cp))
        self.assertFalse(self.exists(t2["id"]))
        t3 = self.create("With Yes")
        self.cli("tenant", "delete", "--yes", t3["id"])
        self.assertFalse(self.exists(t3["id"]))
        # an unknown tenant is "not found" before any question
        cp = self.run_on_terminal(["tenant", "delete", random_uuid()], "whatever")
        self.assertEqual(cp.returncode, 1, describe(cp))
        self.assertIn("not found", cp.stderr)
        self.assertNotIn("confirm", cp.stderr)

    def test_list_all_shows_deleted_tenants(self):
        kept = self.create("Listed")
        gone = self.create("Listed Then Deleted")
        self.cli("tenant", "delete", "--yes", gone["id"])
        default = {t["id"]: t for t in json.loads(self.cli("tenant", "list", "--json").stdout)}
        self.assertIn(kept["id"], default)
        self.assertNotIn(gone["id"], default)
        everything = {t["id"]: t for t in
                      json.loads(self.cli("tenant", "list", "--all", "--json").stdout)}
        self.assertEqual(everything[kept["id"]]["status"], "active")
        self.assertEqual(everything[gone["id"]]["status"], "deleted")
        self.assertEqual(everything[gone["id"]]["name"], "Listed Then Deleted")
        table = self.cli("tenant", "list", "--all").stdout
        row = next((ln for ln in table.splitlines() if gone["id"] in ln), "")
        self.assertRegex(row, r"\bdeleted\b")
        self.assertNotIn(gone["id"], self.cli("tenant", "list").stdout)

    def test_listen_localhost(self):
        port = free_port()
        tmp = tempfile.mkdtemp(prefix="abl", dir="/tmp")
        self.addCleanup(shutil.rmtree, tmp, True)
        proc = subprocess.Popen([autoblog_bin(), "serve", "--listen", f"localhost:{port}",
                                 "--data-dir", tmp, "--workers", "0"],
                                env=dict(self.env, AUTOBLOG_DATA_DIR=tmp),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            def healthy():
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                        s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
                                  b"Connection: close\r\n\r\n")
                        return s.recv(100).startswith(b"HTTP/1.1 200")
                except OSError:
                    return proc.poll() is not None
            answered = wait_until(healthy, 30)
            exited = proc.poll()
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=30)
        self.assertIsNone(exited, f"serve --listen localhost exited early\n{err}")
        self.assertTrue(answered, f"no answer on 127.0.0.1 for localhost\n{err}")
        self.assertEqual(proc.returncode, 0, err)


if __name__ == "__main__":
    unittest.main()
