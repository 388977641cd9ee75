"""E2E: `autoblog migrate` is idempotent and resumable (docs/configuration.md and docs/architecture.md): killed with -9 in the
middle, no tenant is half-migrated, and a rerun finishes the job."""
import glob
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from harness import (REPO_ROOT, E2ETestCase, Server, autoblog_bin, base_env, describe,
                     drop_database, fresh_database, psql, psql_rows, run_cli, wait_until)

N_TENANTS = 40

EXTRA_MIGRATION = ("ALTER TABLE content_pipelines ADD COLUMN e2e_col int;\n"
                   "SELECT pg_sleep(0.1);\n")

STATE_SQL = """
SELECT t.schema_name, coalesce(t.schema_version::text, ''),
       EXISTS (SELECT 1 FROM information_schema.columns c
               WHERE c.table_schema = t.schema_name AND c.table_name = 'content_pipelines'
                 AND c.column_name = 'e2e_col')
FROM autoblog_core.tenants t
WHERE t.status::text <> 'deleted'
ORDER BY 1
"""

WITH_COLUMN_SQL = """
SELECT count(*) FROM information_schema.columns
WHERE table_schema LIKE 'tenant\\_%' AND table_name = 'content_pipelines'
  AND column_name = 'e2e_col'
"""

OTHER_BACKENDS_SQL = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
"""


class MigrateTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("migrate")
        cls.addClassCleanup(drop_database, cls.db)
        cls.tmp = tempfile.mkdtemp(prefix="abm", dir="/tmp")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.env = base_env(AUTOBLOG_DATABASE_URL=cls.db,
                           AUTOBLOG_DATA_DIR=os.path.join(cls.tmp, "data"),
                           AUTOBLOG_JWT_SECRET=secrets.token_urlsafe(48),
                           AUTOBLOG_ADMIN_TOKEN=secrets.token_urlsafe(32),
                           AUTOBLOG_LOG_LEVEL="warn")

    def migrate(self, *args, timeout=180):
        cp = run_cli(["migrate", *args], env=self.env, timeout=timeout)
        self.assertEqual(cp.returncode, 0, describe(cp))
        return cp

    def core_migrations(self):
        return int(psql(self.db, "SELECT count(*) FROM autoblog_core.schema_migrations"))

    def state(self):
        return [(s, v, has == "t") for s, v, has in psql_rows(self.db, STATE_SQL)]

    def wait_for_no_other_backends(self):
        ok = wait_until(lambda: psql(self.db, OTHER_BACKENDS_SQL) == "0", 15.0, 0.2)
        self.assertTrue(ok, "backends of the killed migrate are still connected after 15 s")

    def test_migrate_idempotent_and_resumable(self):
        # ---- 1. a fresh database, twice
        self.migrate()
        core1 = self.core_migrations()
        self.assertGreater(core1, 0, "schema_migrations is empty after migrate")
        self.migrate()
        self.assertEqual(self.core_migrations(), core1, "second migrate was not a no-op")

        # ---- 2. 40 tenants (through the admin API, which migrates each new schema)
        with Server(self.db, jwt_secret=self.env["AUTOBLOG_JWT_SECRET"],
                    admin_token=self.env["AUTOBLOG_ADMIN_TOKEN"]) as srv:
            self.server = srv
            for i in range(N_TENANTS):
                srv.create_tenant(f"migrate-{i:02d}")
        self.server = None
        state0 = self.state()
        self.assertEqual(len(state0), N_TENANTS)
        versions0 = {v for _, v, _ in state0}
        self.assertEqual(len(versions0), 1, f"new tenants differ in schema_version: {state0}")
        v0 = versions0.pop()
        self.assertNotEqual(v0, "", "schema_version is NULL for a new tenant")

        # ---- 3. migrate with nothing to do changes nothing
        self.migrate()
        self.assertEqual(self.state(), state0, "migrate without new migrations changed tenants")
        self.assertEqual(self.core_migrations(), core1)

        # ---- 4. an extra tenant migration, through --tenant-migrations-dir
        src = sorted(glob.glob(str(REPO_ROOT / "migrations" / "tenant" / "*.sql")))
        self.assertTrue(src, f"no tenant migrations found in {REPO_ROOT / 'migrations/tenant'}")
        mig_dir = os.path.join(self.tmp, "tenant-migrations")
        os.makedirs(mig_dir)
        for f in src:
            shutil.copy(f, mig_dir)
        with open(os.path.join(mig_dir, "9000_add_col.sql"), "w") as f:
            f.write(EXTRA_MIGRATION)

        out_path = os.path.join(self.tmp, "killed-migrate.log")
        with open(out_path, "wb") as out:
            proc = subprocess.Popen([autoblog_bin(), "migrate", "--jobs", "1",
                                     "--tenant-migrations-dir", mig_dir],
                                    env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        try:
            started = time.monotonic()
            while True:
                done = int(psql(self.db, WITH_COLUMN_SQL))
                elapsed = time.monotonic() - started
                if proc.poll() is not None:
                    with open(out_path, errors="replace") as f:
                        log = f.read()
                    self.fail(f"migrate --jobs 1 exited ({proc.returncode}) before it could be "
                              f"interrupted ({done} tenants done)\n{log}")
                if done >= 3 or (done >= 1 and elapsed >= 1.0):
                    break
                if elapsed > 60:
                    self.fail(f"no tenant got the new column within 60 s (done={done})")
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)

        # ---- 5. after kill -9: some but not all migrated, none half-migrated
        self.wait_for_no_other_backends()
        partial = self.state()
        self.assertEqual(len(partial), N_TENANTS)
        with_col = [s for s, _, has in partial if has]
        print(f"\nmigrate killed with {len(with_col)}/{N_TENANTS} tenants migrated",
              file=sys.stderr)
        self.assertTrue(0 < len(with_col) < N_TENANTS,
                        f"expected a partial migration, got {len(with_col)}/{N_TENANTS}")
        for schema, version, has in partial:
            if has:
                self.assertNotEqual(version, v0, f"{schema} has the column but schema_version "
                                                 f"is still {v0} (half-migrated)")
            else:
                self.assertEqual(version, v0, f"{schema} lacks the column but schema_version is "
                                              f"{version} (half-migrated)")

        # ---- 6. rerun to completion
        self.migrate("--tenant-migrations-dir", mig_dir)
        final = self.state()
        self.assertEqual(len(final), N_TENANTS)
        self.assertTrue(all(has for _, _, has in final), f"not all tenants migrated: {final}")
        versions1 = {v for _, v, _ in final}
        self.assertEqual(len(versions1), 1, f"tenants differ in schema_version: {final}")
        v1 = versions1.pop()
        self.assertNotEqual(v1, v0)
        for schema, version, has in partial:
            if has:
                self.assertEqual(version, v1, f"{schema}: version {version} after the killed run "
                                              f"is neither {v0} nor {v1}")

        # ---- 7. and once more: nothing to do
        self.migrate("--tenant-migrations-dir", mig_dir, "--jobs", "4")
        self.assertEqual(self.state(), final)
        self.assertEqual(self.core_migrations(), core1)


if __name__ == "__main__":
    unittest.main()
