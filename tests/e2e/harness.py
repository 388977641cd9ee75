"""Shared end-to-end test harness for AutoBlog (Python 3.11 standard library only).

Everything here talks to the real binary ($AUTOBLOG_BIN) over HTTP or via its CLI, and to the
real PostgreSQL cluster named by $AUTOBLOG_TEST_DATABASE_URL (through `psql`).

Main pieces:
  fresh_database(name) / drop_database(url)   one empty database per test module
  Server                                      `autoblog serve` as a context manager
  make_jwt / jwt_claims                       craft and read HS* JWTs in pure Python
  assert_error                                checks the exact error shape of docs/api.md
  run_cli                                     runs `autoblog ...` with a hermetic environment
  E2ETestCase                                 unittest base class that prints server logs on failure
  OpenApiValidator                            checks every Server.request exchange against the
                                              server's OpenAPI document (Prism's validator)

Set AUTOBLOG_E2E_KEEP=1 to keep server temp dirs (logs, data) after the run.

Every request made with Server.request() (and everything built on it) is checked, with the response
the server gave, against the OpenAPI document that server publishes (GET /openapi.json), by
Stoplight Prism's validator (tests/openapi/exchange_validator.mjs). A test fails at the first
exchange where the response breaks the document, where the server accepted (2xx/3xx) a request
the document refuses, or where a route missing from the document answered other than 4xx/501.
Requests sent with Server.raw() (framing, smuggling, slow clients) are not checked.
"""
from __future__ import annotations

import atexit
import base64
import datetime as _dt
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SCHEMA_RE = re.compile(r"^tenant_[0-9a-f_]{36}$")
RFC3339_UTC_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)$")
JWT_RE = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")

TENANT_KEYS = {"id", "name", "domain", "schema_name", "status", "subscription_tier",
               "created_at", "updated_at"}
# The admin API adds the per-tenant limit overrides and the limits in effect.
ADMIN_TENANT_KEYS = TENANT_KEYS | {"limits", "effective_limits"}
CONTENT_KEYS = {"id", "status", "inspiration_data", "content_brief", "generated_content",
                "visual_assets", "quality_scores", "published_at", "created_at", "updated_at",
                "generation", "publications"}
PERFORMANCE_KEYS = {"id", "content_id", "metrics", "tracked_at"}
ERROR_CODES = {
    "invalid_request": {400, 405, 416},
    "unauthorized": {401},
    "forbidden": {403},
    "not_found": {404},
    "conflict": {409},
    "payload_too_large": {413},
    "unsupported_media_type": {415},
    "rate_limited": {429},
    "quota_exceeded": {429},
    "internal": {500},
    "unavailable": {503},
}

KEEP = os.environ.get("AUTOBLOG_E2E_KEEP") == "1"


def encode_body(body: Any) -> bytes:
    """An HTTP body from a test value: dicts and lists as JSON, text as UTF-8, bytes as given."""
    if isinstance(body, (dict, list)):
        return json.dumps(body).encode()
    if isinstance(body, str):
        return body.encode()
    return bytes(body)


# --------------------------------------------------------------------------------------------
# Binary and CLI


def autoblog_bin() -> str:
    """Path to the binary under test: $AUTOBLOG_BIN, else <repo>/build/autoblog."""
    path = os.environ.get("AUTOBLOG_BIN") or str(REPO_ROOT / "build" / "autoblog")
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise RuntimeError(f"autoblog binary not found or not executable: {path!r} "
                           "(set AUTOBLOG_BIN)")
    return path


def base_env(**overrides: str | None) -> dict[str, str]:
    """The current environment without any AUTOBLOG_* variable, plus `overrides`
    (a value of None removes the variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOBLOG_")}
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def run_cli(args: list[str], env: dict[str, str] | None = None, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Runs `autoblog ARGS` and returns the CompletedProcess (text mode)."""
    cmd = [autoblog_bin(), *args]
    try:
        return subprocess.run(cmd, env=env if env is not None else base_env(),
                              capture_output=True, text=True, timeout=timeout, input=input)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(
            f"{cmd} did not finish within {timeout}s\nstdout: {e.stdout!r}\nstderr: {e.stderr!r}")


# Under `make test-tsan` ctest sets TSAN_OPTIONS (halt_on_error=1, exitcode=66), which the
# server and CLI inherit through base_env(): the first data race ends the process with code 66,
# so the test fails at its next request or exit-code check. The report itself goes to stderr.
SANITIZER_EXIT_CODE = 66


def sanitizer_reports(lines: list[str]) -> list[str]:
    """The whole ThreadSanitizer/AddressSanitizer reports among `lines` (a report is longer than
    the log tail that failure messages show, and its first lines are the useful ones)."""
    out: list[str] = []
    inside = False
    for line in lines:
        if re.match(r"^(WARNING: ThreadSanitizer|==\d+==ERROR: AddressSanitizer)", line):
            inside = True
            out.append("----- sanitizer report (earlier in the log) -----")
        if inside:
            out.append(line)
            if line.startswith("SUMMARY:"):
                inside = False
    return out


def describe(cp: subprocess.CompletedProcess) -> str:
    return (f"command {cp.args} exited {cp.returncode}\n--- stdout ---\n{cp.stdout}"
            f"\n--- stderr ---\n{cp.stderr}")


# --------------------------------------------------------------------------------------------
# PostgreSQL


def test_database_url() -> str:
    url = os.environ.get("AUTOBLOG_TEST_DATABASE_URL")
    if not url:
        raise unittest.SkipTest(
            "AUTOBLOG_TEST_DATABASE_URL is not set (scripts/run-tests.sh starts a PostgreSQL "
            "cluster and exports it)")
    return url


def with_database(url: str, dbname: str) -> str:
    """`url` with its database replaced by `dbname` (URI or key=value conninfo)."""
    if url.startswith(("postgresql://", "postgres://")):
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query = [(k, v) for k, v in query if k != "dbname"]
        return urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/" + urllib.parse.quote(dbname),
             urllib.parse.urlencode(query, safe="/"), parts.fragment))
    if re.search(r"(^|\s)dbname\s*=", url):
        return re.sub(r"(^|\s)dbname\s*=\s*('[^']*'|\S+)", rf"\1dbname={dbname}", url)
    return f"{url} dbname={dbname}"


def psql(url: str, sql: str, timeout: float = 60) -> str:
    """Runs SQL through psql (unaligned, tuples only, '|' separator); returns stdout."""
    cp = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1",
                         "-c", sql], capture_output=True, text=True, timeout=timeout,
                        env=base_env())
    if cp.returncode != 0:
        raise AssertionError(f"psql failed ({cp.returncode}) for {sql!r}: {cp.stderr}")
    return cp.stdout.strip()


def psql_rows(url: str, sql: str) -> list[list[str]]:
    out = psql(url, sql)
    return [line.split("|") for line in out.splitlines() if line]


_created_databases: dict[str, str] = {}  # url -> admin url


def fresh_database(name: str) -> str:
    """Creates an empty database e2e_<name>_<random> on the test cluster; returns its URL.
    Skips the calling test (class) when AUTOBLOG_TEST_DATABASE_URL is unset."""
    admin_url = test_database_url()
    safe = re.sub(r"[^a-z0-9_]", "_", name.lower())[:30]
    dbname = f"e2e_{safe}_{secrets.token_hex(4)}"
    psql(admin_url, f'CREATE DATABASE "{dbname}"')
    url = with_database(admin_url, dbname)
    _created_databases[url] = admin_url
    return url


def drop_database(url: str) -> None:
    admin_url = _created_databases.pop(url, None)
    if admin_url is None or KEEP:
        return
    dbname = db_name(url)
    try:
        psql(admin_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    except Exception as e:  # cleanup must not mask the real result
        print(f"warning: could not drop database {dbname}: {e}", file=sys.stderr)


def db_name(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return urllib.parse.unquote(urllib.parse.urlsplit(url).path.lstrip("/"))
    m = re.search(r"dbname\s*=\s*(\S+)", url)
    return m.group(1) if m else ""


@atexit.register
def _drop_leftover_databases() -> None:
    for url in list(_created_databases):
        drop_database(url)


# --------------------------------------------------------------------------------------------
# JWT


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def make_jwt(secret: str | bytes, claims: dict, alg: str = "HS256",
             header_overrides: dict | None = None, signature: bytes | None = None) -> str:
    """A compact JWS. `alg` picks the HMAC used for signing (HS256/384/512); any other alg
    (e.g. 'none', 'RS256') yields an empty signature unless `signature` is given.
    `header_overrides` are merged into the header after alg/typ (so they can lie about alg)."""
    header = {"alg": alg, "typ": "JWT"}
    header.update(header_overrides or {})
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode()))
    if signature is None:
        if alg in _HASHES:
            key = secret.encode() if isinstance(secret, str) else secret
            signature = hmac.new(key, signing_input.encode(), _HASHES[alg]).digest()
        else:
            signature = b""
    return signing_input + "." + b64url(signature)


def jwt_claims(token: str) -> dict:
    parts = token.split(".")
    if len(parts) != 3:
        raise AssertionError(f"not a compact JWT: {token!r}")
    return json.loads(b64url_decode(parts[1]))


def jwt_header(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


# --------------------------------------------------------------------------------------------
# Assertions


def assert_error(status: int, body: Any, expected_status: int, expected_code: str,
                 context: str = "") -> None:
    """The response is exactly {"error": {"code": expected_code, "message": <non-empty str>}}."""
    where = f" ({context})" if context else ""
    if status != expected_status:
        raise AssertionError(f"expected HTTP {expected_status} {expected_code}{where}, "
                             f"got {status}: {body!r}")
    if not isinstance(body, dict):
        raise AssertionError(f"error body is not a JSON object{where}: {body!r}")
    if set(body) != {"error"}:
        raise AssertionError(f"error body must have exactly the key 'error'{where}: {body!r}")
    err = body["error"]
    if not isinstance(err, dict) or set(err) != {"code", "message"}:
        raise AssertionError(
            f"error object must have exactly 'code' and 'message'{where}: {body!r}")
    if not isinstance(err["code"], str) or not isinstance(err["message"], str):
        raise AssertionError(f"error code/message must be strings{where}: {body!r}")
    if err["code"] != expected_code:
        raise AssertionError(f"expected error code {expected_code!r}{where}, got {body!r}")
    if not err["message"].strip():
        raise AssertionError(f"error message is empty{where}: {body!r}")


def parse_ts(value: Any) -> _dt.datetime:
    """Parses an RFC 3339 UTC timestamp, asserting the format."""
    if not isinstance(value, str) or not RFC3339_UTC_RE.match(value):
        raise AssertionError(f"not an RFC 3339 UTC timestamp: {value!r}")
    s = value.replace("Z", "+00:00")
    m = re.match(r"^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(\+00:00)$", s)
    assert m is not None
    frac = (m.group(2) or "")[:7].ljust(7, "0") if m.group(2) else ""
    return _dt.datetime.fromisoformat(m.group(1) + frac + m.group(3))


def now_utc() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def q(path: str, **params: Any) -> str:
    """path?urlencoded params (None values dropped)."""
    params = {k: v for k, v in params.items() if v is not None}
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1):
    """Polls predicate() until it returns a truthy value or timeout; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def postgres_processes_mentioning(text: str) -> list[tuple[int, str]]:
    """(pid, cmdline) of live processes whose command line contains `text` and 'postgres'."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        cmd = raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()
        if text in cmd and "postgres" in cmd:
            # zombie processes still show an empty cmdline, so anything here is alive
            found.append((int(entry), cmd))
    return found


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# Server


class ServerError(AssertionError):
    pass


class Server:
    """`autoblog serve` on a free port, in a temp dir, with its logs captured.

    database_url: AUTOBLOG_DATABASE_URL; None means embedded mode (no URL in the environment).
    admin_token / jwt_secret: random by default; pass None to leave them unset (the server then
    generates its own) — then `self.admin_token` stays None unless the caller sets it.
    """

    _UNSET = object()

    def __init__(self, database_url: str | None, *, data_dir: str | None = None,
                 admin_token: Any = _UNSET, jwt_secret: Any = _UNSET,
                 env: dict[str, str] | None = None, args: list[str] | None = None,
                 ready_timeout: float = 60.0, workers: int = 0, check_openapi: bool = True):
        self.database_url = database_url
        # Check each request/response against the OpenAPI document (see the module docstring).
        self.check_openapi = check_openapi
        self.tmpdir = tempfile.mkdtemp(prefix="abe", dir="/tmp")
        self.data_dir = data_dir or os.path.join(self.tmpdir, "data")
        self.own_data_dir = data_dir is None
        self.admin_token = (secrets.token_urlsafe(32) if admin_token is Server._UNSET
                            else admin_token)
        self.jwt_secret = (secrets.token_urlsafe(48) if jwt_secret is Server._UNSET
                           else jwt_secret)
        self.extra_env = dict(env or {})
        self.extra_args = list(args or [])
        self.ready_timeout = ready_timeout
        self.workers = workers
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.stdout_path = os.path.join(self.tmpdir, "stdout.log")
        self.stderr_path = os.path.join(self.tmpdir, "stderr.log")
        self._conn: http.client.HTTPConnection | None = None
        self._conn_used = False
        self._starts = 0

    # ---- lifecycle

    def env(self) -> dict[str, str]:
        env = base_env(AUTOBLOG_LOG_LEVEL="warn", AUTOBLOG_ACCESS_LOG="0")
        if self.database_url:
            env["AUTOBLOG_DATABASE_URL"] = self.database_url
        if self.admin_token is not None:
            env["AUTOBLOG_ADMIN_TOKEN"] = self.admin_token
        if self.jwt_secret is not None:
            env["AUTOBLOG_JWT_SECRET"] = self.jwt_secret
        for k, v in self.extra_env.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
        return env

    def start(self) -> "Server":
        """Starts the server and waits until it is ready. Retries on another port when the
        chosen free port was taken in the meantime (parallel ctest jobs)."""
        for attempt in range(3):
            try:
                return self._start_once()
            except ServerError as e:
                lost_race = re.search(r"address already in use|EADDRINUSE|bind",
                                      self.read_output(since_last_start=True), re.I)
                if attempt == 2 or self.returncode is None or not lost_race:
                    raise e
        raise AssertionError("unreachable")

    def _start_once(self) -> "Server":
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("server already running")
        self.port = free_port()
        os.makedirs(self.data_dir, exist_ok=True)
        self._starts += 1
        # Append so that a restart keeps the earlier logs; mark each start.
        out = open(self.stdout_path, "ab")
        err = open(self.stderr_path, "ab")
        for f in (out, err):
            f.write(f"==== start #{self._starts} ====\n".encode())
            f.flush()
        self._out_offset = out.tell()
        self._err_offset = err.tell()
        cmd = [autoblog_bin(), "serve", "--listen", f"127.0.0.1:{self.port}",
               "--data-dir", self.data_dir, "--workers", str(self.workers), *self.extra_args]
        self.proc = subprocess.Popen(cmd, env=self.env(), stdout=out, stderr=err,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        err.close()
        self.returncode = None
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                self.returncode = rc
                raise ServerError(f"server exited with code {rc} before it was ready\n"
                                  + self.logs())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health/ready")
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                if resp.status == 200:
                    return
                last = f"{resp.status} {body[:300]!r}"
            except (OSError, http.client.HTTPException) as e:
                last = repr(e)
            time.sleep(0.1)
        self.kill()
        raise ServerError(f"server not ready within {self.ready_timeout}s (last: {last})\n"
                          + self.logs())

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 30.0, expect_code: int | None = 0) -> int:
        """SIGTERM, wait, and (by default) assert exit code 0."""
        self._close_conn()
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise ServerError(f"server did not exit within {timeout}s of SIGTERM\n"
                                  + self.logs())
        self.returncode = self.proc.returncode
        if expect_code is not None and self.returncode != expect_code:
            hint = (" (a sanitizer report, see below)"
                    if self.returncode == SANITIZER_EXIT_CODE else "")
            raise ServerError(f"server exited with code {self.returncode}{hint}, expected "
                              f"{expect_code}\n" + self.logs())
        return self.returncode

    def kill(self) -> None:
        self._close_conn()
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait(timeout=30)
            self.returncode = self.proc.returncode

    def cleanup(self) -> None:
        """Kills the process if still running and removes the temp dir (unless KEEP)."""
        self.kill()
        if not KEEP:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        else:
            print(f"keeping server dir {self.tmpdir}", file=sys.stderr)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.stop()
            else:
                print(self.logs(), file=sys.stderr)
        finally:
            self.cleanup()

    # ---- logs

    def read_output(self, which: str = "both", since_last_start: bool = False) -> str:
        text = ""
        for name, path, off in (("stdout", self.stdout_path, getattr(self, "_out_offset", 0)),
                                ("stderr", self.stderr_path, getattr(self, "_err_offset", 0))):
            if which not in ("both", name):
                continue
            try:
                with open(path, "rb") as f:
                    if since_last_start:
                        f.seek(off)
                    text += f.read().decode("utf-8", "replace")
            except OSError:
                pass
        return text

    def logs(self, tail: int = 80) -> str:
        out = []
        for name, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            try:
                with open(path, "rb") as f:
                    lines = f.read().decode("utf-8", "replace").splitlines()
            except OSError:
                lines = ["<missing>"]
            out.append(f"----- server {name} (last {tail} lines of {path}) -----")
            out.extend(lines[-tail:])
            if name == "stderr":
                out.extend(sanitizer_reports(lines[:-tail]))
        return "\n".join(out)

    # ---- HTTP

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _close_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
        self._conn = None
        self._conn_used = False

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30.0
                ) -> tuple[int, dict[str, str], Any]:
        """One HTTP request on a keep-alive connection.

        body: None, a dict/list (sent as JSON), str or bytes (sent verbatim, with
        Content-Type application/json unless headers say otherwise).
        Returns (status, headers with lower-case names, parsed JSON | bytes | None when empty)."""
        hdrs: dict[str, str] = {}
        data: bytes | None = None
        if body is not None:
            data = encode_body(body)
            hdrs["Content-Type"] = "application/json"
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        for k, v in (headers or {}).items():
            # allow removing a default header by passing None
            for existing in [h for h in hdrs if h.lower() == k.lower()]:
                del hdrs[existing]
            if v is not None:
                hdrs[k] = v
        if data is None and method in ("POST", "PUT", "PATCH"):
            hdrs.setdefault("Content-Length", "0")

        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
                self._conn_used = False
            reused = self._conn_used
            try:
                self._conn.timeout = timeout
                if self._conn.sock is not None:
                    self._conn.sock.settimeout(timeout)
                self._conn.request(method, path, body=data, headers=hdrs)
                resp = self._conn.getresponse()
                raw = resp.read()
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest,
                    http.client.ResponseNotReady, ConnectionResetError, BrokenPipeError) as e:
                self._close_conn()
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection; retry once
                raise ServerError(f"{method} {path}: connection error {e!r}\n" + self.logs(40))
            except Exception:
                self._close_conn()
                raise
            self._conn_used = True
            if resp.will_close:
                self._close_conn()
            rh = {k.lower(): v for k, v in resp.getheaders()}
            if self.check_openapi and openapi_checks_enabled():
                sent = dict(hdrs)
                sent["Content-Length"] = str(len(data or b""))
                OpenApiValidator.for_server(self).check(method, path, sent, data, resp.status,
                                                        rh, raw)
            return resp.status, rh, _decode_body(rh, raw)
        raise AssertionError("unreachable")

    def client(self) -> "Server":
        """A view of this server with its own keep-alive connection (for use from another
        thread); lifecycle methods must only be called on the original."""
        c = object.__new__(Server)
        c.__dict__.update(self.__dict__)
        c._conn = None
        c._conn_used = False
        return c

    def admin(self, method: str, path: str, body: Any = None, **kw):
        return self.request(method, path, body, token=self.admin_token, **kw)

    def create_tenant(self, name: str | None = None, tier: str | None = "starter",
                      domain: str | None = None) -> dict:
        body: dict[str, Any] = {"name": name or f"tenant-{secrets.token_hex(4)}"}
        if tier is not None:
            body["subscription_tier"] = tier
        if domain is not None:
            body["domain"] = domain
        status, _, data = self.admin("POST", "/v1/admin/tenants", body)
        if status != 201:
            raise AssertionError(f"create tenant {body!r}: expected 201, got {status} {data!r}")
        return data

    def tenant_token(self, tenant_id: str, ttl_seconds: int | None = None) -> str:
        body = {} if ttl_seconds is None else {"ttl_seconds": ttl_seconds}
        status, _, data = self.admin("POST", f"/v1/admin/tenants/{tenant_id}/tokens", body)
        if status != 201:
            raise AssertionError(f"token for {tenant_id}: expected 201, got {status} {data!r}")
        return data["token"]

    def new_tenant_with_token(self, tier: str = "starter", name: str | None = None
                              ) -> tuple[dict, str]:
        t = self.create_tenant(name=name, tier=tier)
        return t, self.tenant_token(t["id"])

    def raw(self, payload: bytes, timeout: float = 10.0, shutdown_write: bool = False) -> bytes:
        """Sends raw bytes on a new connection; returns everything read until the server closes,
        the timeout expires (then raises socket.timeout) or a complete response was read."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            try:
                s.sendall(payload)
                if shutdown_write:
                    s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return _read_http_response(s, timeout)


def _read_http_response(s: socket.socket, timeout: float) -> bytes:
    """Reads until EOF, or until one complete response (headers + Content-Length body)."""
    s.settimeout(timeout)
    buf = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return buf
        if not chunk:
            return buf
        buf += chunk
        head, sep, rest = buf.partition(b"\r\n\r\n")
        if sep:
            m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
            if m and len(rest) >= int(m.group(1)):
                return buf
    raise socket.timeout(f"no complete response or close within {timeout}s; got {buf[:200]!r}")


def _decode_body(headers: dict[str, str], raw: bytes) -> Any:
    if not raw:
        return None
    if "json" in headers.get("content-type", ""):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


# --------------------------------------------------------------------------------------------
# OpenAPI conformance of every exchange


def openapi_checks_enabled() -> bool:
    """AUTOBLOG_E2E_OPENAPI=0 turns the checks off (e.g. to bisect a failure)."""
    return os.environ.get("AUTOBLOG_E2E_OPENAPI", "1") != "0"


class OpenApiViolation(AssertionError):
    pass


class OpenApiValidator:
    """A connection to `node tests/openapi/exchange_validator.mjs --listen SOCKET`, one validator
    process per distinct document shared by every test process of the suite (loading Prism
    costs seconds of CPU; checking an exchange, about a millisecond): the first client starts
    it, and it exits by itself 10 s after its last client left. Thread-safe (one lock per
    connection: parallel_requests shares it)."""

    _by_document: dict[bytes, "OpenApiValidator"] = {}
    _lock = threading.Lock()
    SCRIPT = REPO_ROOT / "tests" / "openapi" / "exchange_validator.mjs"
    MAX_OPAQUE_BYTES = 65536
    IDLE_EXIT_SECONDS = 10

    def __init__(self, document: bytes):
        if not (REPO_ROOT / "node_modules" / "@stoplight" / "prism-http").is_dir():
            raise AssertionError("node_modules/@stoplight/prism-http is missing: "
                                 "scripts/install-deps.sh installs the pinned npm packages "
                                 "(or set AUTOBLOG_E2E_OPENAPI=0 to skip the OpenAPI checks)")
        digest = hashlib.sha256(document + str(self.SCRIPT).encode()).hexdigest()[:16]
        stem = f"/tmp/abo-{os.getuid()}-{digest}"
        self.socket_path = stem + ".sock"
        self.log_path = stem + ".log"
        self.lock = threading.Lock()
        self.sock = self._connect_or_start(document, stem)
        self.stream = self.sock.makefile("rwb")
        atexit.register(self.close)

    def _try_connect(self) -> socket.socket | None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.socket_path)
            return s
        except OSError:
            s.close()
            return None

    def _connect_or_start(self, document: bytes, stem: str) -> socket.socket:
        s = self._try_connect()
        if s is not None:
            return s
        doc_path = f"{stem}-{os.getpid()}.json"  # removed by the validator when it exits
        with open(doc_path, "wb") as f:
            f.write(document)
        # Started through a shell that exits at once, so the validator belongs to no test
        # process (it outlives them on purpose) and none of them has a child left to reap.
        subprocess.run(["sh", "-c", 'node "$@" </dev/null >>"$LOG" 2>&1 &', "sh", str(self.SCRIPT),
                        "--listen", self.socket_path, "--idle-exit", str(self.IDLE_EXIT_SECONDS),
                        doc_path], env={**os.environ, "LOG": self.log_path}, cwd=str(REPO_ROOT),
                       check=True, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            s = self._try_connect()
            if s is not None:
                return s
            time.sleep(0.05)
        raise AssertionError("the OpenAPI exchange validator did not start\n" + self._log_tail())

    @classmethod
    def for_server(cls, server: "Server") -> "OpenApiValidator":
        doc = getattr(server, "_openapi_doc", None)
        if doc is None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            try:
                conn.request("GET", "/openapi.json")
                resp = conn.getresponse()
                doc = resp.read()
                if resp.status != 200:
                    raise AssertionError(f"GET /openapi.json: {resp.status} {doc[:300]!r}")
            finally:
                conn.close()
            server._openapi_doc = doc
        with cls._lock:
            v = cls._by_document.get(doc)
            if v is None:
                v = cls._by_document[doc] = OpenApiValidator(doc)
            return v

    def close(self) -> None:
        try:
            self.stream.close()
            self.sock.close()
        except OSError:
            pass

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return "<no log>"

    def verdict(self, method: str, target: str, headers: dict[str, str], body: bytes | None,
                status: int, response_headers: dict[str, str], response_body: bytes) -> dict:
        # Bytes that are not JSON are checked only as "a string" (uploads and downloads), which
        # any prefix is too: a large object costs the check nothing.
        def excerpt(data: bytes, content_type: str | None) -> str:
            if "json" not in (content_type or "").lower():
                data = data[:self.MAX_OPAQUE_BYTES]
            return base64.b64encode(data).decode()

        sent_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        line = json.dumps({
            "method": method, "target": target, "headers": headers,
            "body_b64": excerpt(body or b"", sent_type), "status": status,
            "response_headers": response_headers,
            "response_body_b64": excerpt(response_body,
                                         response_headers.get("content-type"))}) + "\n"
        with self.lock:
            try:
                self.stream.write(line.encode())
                self.stream.flush()
                out = self.stream.readline()
            except (BrokenPipeError, OSError) as e:
                out = b""
                err = repr(e)
            else:
                err = "no answer"
        if not out:
            raise AssertionError(f"the OpenAPI exchange validator died ({err})\n"
                                 + self._log_tail())
        return json.loads(out)

    def check(self, method: str, target: str, headers: dict[str, str], body: bytes | None,
              status: int, response_headers: dict[str, str], response_body: bytes) -> None:
        v = self.verdict(method, target, headers, body, status, response_headers, response_body)
        problems = [f"response: {m}" for m in v["response"]]
        if v["operation"] is None:
            # A route the document does not have must not exist on the server either.
            if not (400 <= status < 500 or status == 501):
                problems.append(f"no documented operation ({'; '.join(v['request'])}) but the "
                                f"server answered {status}")
        elif v["request"] and 200 <= status < 400:
            problems += [f"the server accepted ({status}) a request the document refuses: {m}"
                         for m in v["request"]]
        if problems:
            shown = response_body[:500]
            raise OpenApiViolation(
                f"{method} {target[:200]} -> {status} breaks the OpenAPI document "
                f"(operation {v['operation']}):\n  " + "\n  ".join(problems)
                + f"\n  response headers: {response_headers}\n  response body: {shown!r}")


# --------------------------------------------------------------------------------------------
# unittest base class


class WorkerProcess:
    """`autoblog worker --concurrency N` on the given database, its output in a temp file.
    cleanup() kills it and removes the temp dir (kept with AUTOBLOG_E2E_KEEP=1)."""

    def __init__(self, database_url, concurrency, env=None):
        self.tmpdir = tempfile.mkdtemp(prefix="abw", dir="/tmp")
        self.log_path = os.path.join(self.tmpdir, "worker.log")
        self.cmd = [autoblog_bin(), "worker", "--concurrency", str(concurrency),
                    "--data-dir", os.path.join(self.tmpdir, "data")]
        self.env = base_env(AUTOBLOG_DATABASE_URL=database_url, AUTOBLOG_LOG_LEVEL="warn",
                            **(env or {}))
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     cwd=self.tmpdir)
        log.close()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM (after SIGCONT, in case a test froze it); returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return "<no log>"

    def cleanup(self):
        self.kill()
        if not KEEP:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


class E2ETestCase(unittest.TestCase):
    """Prints the module server's log tail when a test fails or errors.

    Subclasses set `cls.server` (a started Server) in setUpClass, usually through
    `cls.start_server(...)`, which also registers its stop/cleanup."""

    server: Server | None = None
    maxDiff = None

    @classmethod
    def start_server(cls, database_url: str | None, **kw) -> Server:
        srv = Server(database_url, **kw)
        cls.addClassCleanup(srv.cleanup)
        srv.start()
        return srv

    @classmethod
    def redis_url(cls) -> str:
        """The shared test Redis when run-tests.sh started one, else a private one for the class."""
        url = shared_redis_url()
        if url is not None:
            return url
        return cls.own_redis().url

    @classmethod
    def own_redis(cls) -> "RedisServer":
        """A private redis-server for the class (one a test may stop or kill), cleaned up after
        it; skips the class when redis-server is not installed."""
        if redis_server_bin() is None:
            raise unittest.SkipTest("redis-server is not on PATH")
        redis = RedisServer()
        cls.addClassCleanup(redis.cleanup)
        redis.start()
        return redis

    @classmethod
    def start_two_nodes(cls, database_url: str, env: dict) -> None:
        """cls.server and cls.server2: two API nodes on one database, sharing the secrets."""
        cls.server = cls.start_server(database_url, env=env)
        cls.server2 = cls.start_server(database_url, env=env,
                                       admin_token=cls.server.admin_token,
                                       jwt_secret=cls.server.jwt_secret)

    @classmethod
    def stop_two_nodes(cls) -> None:
        for s in (cls.server2, cls.server):
            if s.alive():
                s.stop()

    @classmethod
    def stop_server_checked(cls) -> None:
        """For tearDownClass: SIGTERM and require exit code 0."""
        if cls.server is not None and cls.server.alive():
            cls.server.stop()

    def run(self, result=None):
        def bad(r):
            return 0 if r is None else len(r.failures) + len(r.errors)

        self.after_run: list = []  # callables run after the log dump (e.g. removing log dirs)
        before = bad(result)
        r = super().run(result)
        res = result if result is not None else r
        if res is not None and bad(res) > before and self.server is not None:
            print(f"\n==== {self.id()} failed; server logs ====\n{self.server.logs(60)}",
                  file=sys.stderr)
        for fn in reversed(self.after_run):
            fn()
        return r

    # convenience wrappers
    def req(self, *a, **kw):
        return self.server.request(*a, **kw)

    def admin(self, *a, **kw):
        return self.server.admin(*a, **kw)

    def assertError(self, resp, expected_status: int, expected_code: str, context: str = ""):
        status, _, body = resp
        assert_error(status, body, expected_status, expected_code, context)

    def assertStatus(self, resp, expected_status: int, context: str = ""):
        status, _, body = resp
        if status != expected_status:
            self.fail(f"expected HTTP {expected_status}{' (' + context + ')' if context else ''}"
                      f", got {status}: {body!r}")
        return body

    def walk_list(self, path: str, token: str | None, limit: int, max_pages: int = 1000,
                  **params) -> tuple[list[dict], list[int]]:
        """Follows next_cursor; returns (all items, page sizes). Checks the list shape."""
        items, sizes, cursor = [], [], None
        for _ in range(max_pages):
            status, _, body = self.req("GET", q(path, limit=limit, cursor=cursor, **params),
                                       token=token)
            self.assertEqual(status, 200, f"GET {path} page: {body!r}")
            self.assertIsInstance(body, dict)
            self.assertEqual(set(body), {"items", "next_cursor"}, body)
            self.assertIsInstance(body["items"], list)
            self.assertLessEqual(len(body["items"]), limit)
            items.extend(body["items"])
            sizes.append(len(body["items"]))
            cursor = body["next_cursor"]
            if cursor is None:
                return items, sizes
            self.assertIsInstance(cursor, str)
            self.assertEqual(len(body["items"]), limit,
                             "a page followed by a cursor should be full")
        self.fail(f"pagination of {path} did not end after {max_pages} pages")


def random_uuid() -> str:
    return str(uuid.uuid4())


# --------------------------------------------------------------------------------------------
# Backing services: Redis and S3 (s3rver)
#
# scripts/run-tests.sh exports AUTOBLOG_TEST_REDIS_URL and AUTOBLOG_TEST_S3_ENDPOINT (shared
# services). A test that stops a service mid-test starts its OWN with RedisServer / S3rver below;
# both can be stopped and started again on the same port (and, for s3rver, the same directory).

S3_BUCKET = "autoblog"
S3_REGION = "us-east-1"
S3_ACCESS_KEY = "S3RVER"
S3_SECRET_KEY = "S3RVER"


def shared_redis_url() -> str | None:
    return os.environ.get("AUTOBLOG_TEST_REDIS_URL") or None


def shared_s3_endpoint() -> str | None:
    return os.environ.get("AUTOBLOG_TEST_S3_ENDPOINT") or None


def redis_env(url: str) -> dict[str, str]:
    """Server environment that puts rate limits and the tenant cache on Redis at `url`."""
    return {"AUTOBLOG_REDIS_URL": url}


def s3_env(endpoint: str) -> dict[str, str]:
    """Server environment that puts object storage on the S3 endpoint (bucket autoblog)."""
    return {"AUTOBLOG_S3_ENDPOINT": endpoint, "AUTOBLOG_S3_BUCKET": S3_BUCKET,
            "AUTOBLOG_S3_REGION": S3_REGION, "AUTOBLOG_S3_ACCESS_KEY": S3_ACCESS_KEY,
            "AUTOBLOG_S3_SECRET_KEY": S3_SECRET_KEY}


def redis_server_bin() -> str | None:
    return shutil.which("redis-server")


def s3rver_bin() -> str | None:
    """<repo>/node_modules/.bin/s3rver (npm package pinned in package.json), or the path in
    $AUTOBLOG_TEST_S3RVER_BIN; None when neither exists."""
    for path in (os.environ.get("AUTOBLOG_TEST_S3RVER_BIN"),
                 str(REPO_ROOT / "node_modules" / ".bin" / "s3rver")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class _Service:
    """A child process listening on one TCP port, restartable on the same port."""

    name = "service"

    def __init__(self, port: int | None = None):
        self.tmpdir = tempfile.mkdtemp(prefix=f"ab{self.name[:3]}", dir="/tmp")
        self.port = port or free_port()
        self.log_path = os.path.join(self.tmpdir, f"{self.name}.log")
        self.proc: subprocess.Popen | None = None
        self._started_once = False

    def command(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return base_env()

    def start(self, timeout: float = 20.0) -> "_Service":
        if self.alive():
            raise RuntimeError(f"{self.name} already running")
        for attempt in range(3):
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         env=self.env())
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if port_open(self.port):
                    self._started_once = True
                    return self
                time.sleep(0.05)
            self._kill()
            # A port lost to another process before the first start: take another one.
            if not self._started_once and attempt < 2:
                self.port = free_port()
                continue
            break
        raise AssertionError(f"{self.name} did not start on port {self.port}\n" + self.log_tail())

    def stop(self, timeout: float = 10.0) -> None:
        """Stops the process (SIGTERM, then SIGKILL) and waits until the port is closed."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except OSError:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill()
        wait_until(lambda: not port_open(self.port, timeout=0.2), 5.0, 0.05)

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait(timeout=30)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self) -> None:
        self._kill()
        if not KEEP:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            lines = ["<no log>"]
        return f"----- {self.name} log ({self.log_path}) -----\n" + "\n".join(lines[-n:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()


class RedisServer(_Service):
    """A private redis-server (nothing persisted) on 127.0.0.1:port."""

    name = "redis"

    def command(self) -> list[str]:
        binary = redis_server_bin()
        if binary is None:
            raise unittest.SkipTest("redis-server is not on PATH")
        return [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.tmpdir]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def cmd(self, *args: str | bytes, timeout: float = 5.0) -> Any:
        return redis_command(self.url, *args, timeout=timeout)


def redis_command(url: str, *args: str | bytes, timeout: float = 5.0) -> Any:
    """One Redis command over RESP (no AUTH/SELECT support: test servers only).
    Returns str/bytes/int/list/None; an error reply raises AssertionError."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    wire = f"*{len(args)}\r\n".encode()
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        wire += b"$" + str(len(b)).encode() + b"\r\n" + b + b"\r\n"
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(wire)
        f = s.makefile("rb")

        def read():
            line = f.readline()
            if not line:
                raise AssertionError("redis closed the connection")
            kind, rest = line[:1], line[1:-2]
            if kind == b"+":
                return rest.decode()
            if kind == b"-":
                raise AssertionError(f"redis error: {rest.decode()}")
            if kind == b":":
                return int(rest)
            if kind == b"$":
                n = int(rest)
                if n < 0:
                    return None
                data = f.read(n + 2)
                return data[:-2]
            if kind == b"*":
                n = int(rest)
                return None if n < 0 else [read() for _ in range(n)]
            raise AssertionError(f"unexpected redis reply {line!r}")

        return read()


class S3rver(_Service):
    """The s3rver emulator with bucket `autoblog`, its files in self.directory (kept across
    stop()/start())."""

    name = "s3rver"

    def __init__(self, port: int | None = None):
        super().__init__(port)
        self.directory = os.path.join(self.tmpdir, "s3")
        os.makedirs(self.directory, exist_ok=True)

    @staticmethod
    def require() -> str:
        binary = s3rver_bin()
        if binary is None:
            raise unittest.SkipTest(
                "s3rver is not installed (node_modules/.bin/s3rver missing; `npm ci` installs "
                "the version pinned in package.json)")
        return binary

    def env(self) -> dict[str, str]:
        # s3rver 3.7 makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node
        # >= 17) only has in its legacy provider: without it every truncated listing is a 500.
        env = base_env()
        opts = env.get("NODE_OPTIONS", "")
        if "--openssl-legacy-provider" not in opts:
            env["NODE_OPTIONS"] = (opts + " --openssl-legacy-provider").strip()
        return env

    def command(self) -> list[str]:
        return [S3rver.require(), "-d", self.directory, "-a", "127.0.0.1", "-p", str(self.port),
                "--configure-bucket", S3_BUCKET, "--silent"]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> "S3Client":
        return S3Client(self.endpoint)


class S3Client:
    """Minimal path-style S3 client with AWS Signature V4 (to inspect what the server stored)."""

    def __init__(self, endpoint: str, bucket: str = S3_BUCKET, region: str = S3_REGION,
                 access_key: str = S3_ACCESS_KEY, secret_key: str = S3_SECRET_KEY):
        parts = urllib.parse.urlsplit(endpoint)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.netloc = parts.netloc
        self.bucket = bucket
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key

    @staticmethod
    def _enc(s: str, safe: str = "") -> str:
        return urllib.parse.quote(s, safe="-_.~" + safe)

    def request(self, method: str, key: str = "", query: dict[str, str] | None = None,
                body: bytes = b"", headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
        path = "/" + self.bucket + ("/" + self._enc(key, "/") if key else "")
        query = query or {}
        canon_query = "&".join(f"{self._enc(k)}={self._enc(v)}"
                               for k, v in sorted(query.items()))
        now = _dt.datetime.now(_dt.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        date = now.strftime("%Y%m%d")
        payload_hash = hashlib.sha256(body).hexdigest()
        hdrs = {"host": self.netloc, "x-amz-date": amz_date,
                "x-amz-content-sha256": payload_hash}
        for k, v in (headers or {}).items():
            hdrs[k.lower()] = v
        signed = ";".join(sorted(hdrs))
        canon_headers = "".join(f"{k}:{hdrs[k].strip()}\n" for k in sorted(hdrs))
        canon_req = "\n".join([method, path, canon_query, canon_headers, signed, payload_hash])
        scope = f"{date}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canon_req.encode()).hexdigest()])
        key_bytes = ("AWS4" + self.secret_key).encode()
        for part in (date, self.region, "s3", "aws4_request"):
            key_bytes = hmac.new(key_bytes, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
        hdrs["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                 f"SignedHeaders={signed}, Signature={signature}")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path + ("?" + canon_query if canon_query else ""),
                         body=body or None, headers={k: v for k, v in hdrs.items() if k != "host"})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def list_objects(self, prefix: str = "") -> dict[str, dict[str, Any]]:
        """key -> {"size", "etag"} for every object under `prefix` (ListObjectsV2, all pages)."""
        import xml.etree.ElementTree as ET

        out: dict[str, dict[str, Any]] = {}
        token = None
        for _ in range(10000):
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            status, _, data = self.request("GET", "", query)
            if status != 200:
                raise AssertionError(f"S3 list {prefix!r}: {status} {data[:300]!r}")
            root = ET.fromstring(data)

            def local(tag):
                return tag.rsplit("}", 1)[-1]

            token = None
            truncated = False
            for el in root:
                name = local(el.tag)
                if name == "Contents":
                    fields = {local(c.tag): (c.text or "") for c in el}
                    out[fields["Key"]] = {"size": int(fields.get("Size", "0")),
                                          "etag": fields.get("ETag", "")}
                elif name == "IsTruncated":
                    truncated = (el.text or "").strip() == "true"
                elif name == "NextContinuationToken":
                    token = el.text
            if not truncated or not token:
                return out
        raise AssertionError("S3 listing did not end")

    def get_object(self, key: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", key)

    def head_object(self, key: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("HEAD", key)


# --------------------------------------------------------------------------------------------
# Metrics and concurrent requests


def metric_value(text: str, name: str, **labels: str) -> float | None:
    """Sum of the samples of metric `name` (exact name) whose labels include `labels`;
    None when there is no such sample."""
    total, found = 0.0, False
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            total += float(m.group(4))
            found = True
    return total if found else None


def parallel_requests(servers: list["Server"], n: int, method: str, path: str,
                      token: str | None = None, threads: int = 8, body: Any = None
                      ) -> list[tuple[int, dict[str, str], Any]]:
    """Sends `n` requests from `threads` threads, each with its own keep-alive connection;
    thread k talks to servers[k % len(servers)]. Returns the responses in completion
    order; a transport error is recorded as (-1, {}, repr(error))."""
    import threading

    results: list[tuple[int, dict[str, str], Any]] = []
    lock = threading.Lock()
    remaining = [n]

    def worker(k: int) -> None:
        client = servers[k % len(servers)].client()
        try:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                try:
                    r = client.request(method, path, body, token=token)
                except Exception as e:  # recorded, asserted by the caller
                    r = (-1, {}, repr(e))
                with lock:
                    results.append(r)
        finally:
            client._close_conn()

    pool = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    return results


# --------------------------------------------------------------------------------------------
# Content engine tests (test_content_engine*.py): tenants, brands, items, generations


FINISHED_JOB_STATES = {"succeeded", "failed", "dead", "cancelled"}
GENERATED_CONTENT_KEYS = {"title", "slug", "meta_description", "outline", "body_markdown",
                          "keywords"}
QUALITY_KEYS = {"word_count", "sentence_count", "flesch_reading_ease", "flesch_kincaid_grade",
                "keyword_density", "heading_count", "max_words_per_section",
                "longest_paragraph_words", "title_length", "meta_description_length",
                "overall", "passes", "issues"}
HERO_KEYS = {"key", "url", "content_type", "size", "provider", "model", "quality"}
GENERATION_KEYS = {"provider", "model", "prompt_tokens", "completion_tokens", "total_tokens",
                   "duration_ms", "brief_written", "repaired", "image", "generated_at",
                   "human_edited"}
BRAND = {"voice_tone": {"tone": "warm and practical", "person": "we"},
         "topics": ["home espresso", "coffee gear"],
         "visual_style": {"palette": "warm earth tones", "style": "photo"},
         "seo_strategy": {"keywords": ["espresso machine", "home barista"]},
         "publishing_config": {"auto_approve": False}}


class ContentEngineHelpers:
    """Mixin for E2ETestCase classes whose `self.server` runs generations. Every tenant it makes
    gets a large hourly request limit, so polling never meets the rate limiter."""

    server: Server

    @classmethod
    def start_fake_ai_and_database(cls, db_name: str) -> None:
        """cls.ai: a started FakeOpenAI; cls.db: a fresh database; both removed after the class."""
        from fake_openai import FakeOpenAI  # here: fake_openai imports this module
        cls.ai = FakeOpenAI()
        cls.ai.start()
        cls.addClassCleanup(cls.ai.stop)
        cls.db = fresh_database(db_name)
        cls.addClassCleanup(drop_database, cls.db)

    def engine_tenant(self, tier: str = "starter", brand: dict | None = BRAND,
                      limits: dict | None = None, server: Server | None = None
                      ) -> tuple[dict, str]:
        srv = server or self.server
        tenant, token = srv.new_tenant_with_token(tier)
        self.set_tenant_limits(tenant["id"], {"requests_per_hour": 1000000, **(limits or {})},
                               server=srv)
        if brand is not None:
            status, _, body = srv.request("PUT", "/v1/brand", brand, token=token)
            assert status == 200, f"PUT /v1/brand: {status} {body!r}"
        return tenant, token

    def set_tenant_limits(self, tenant_id: str, limits: dict, server: Server | None = None
                          ) -> dict:
        status, _, t = (server or self.server).admin("PATCH", f"/v1/admin/tenants/{tenant_id}",
                                                      {"limits": limits})
        assert status == 200, f"PATCH limits {limits!r}: {status} {t!r}"
        return t

    def new_item(self, token: str, idea: str = "how to pick a first espresso machine",
                 brief: dict | None = None, server: Server | None = None) -> str:
        body: dict[str, Any] = {"inspiration_data": {"idea": idea}}
        if brief is not None:
            body["content_brief"] = brief
        status, _, item = (server or self.server).request("POST", "/v1/content", body,
                                                          token=token)
        assert status == 201, f"POST /v1/content: {status} {item!r}"
        return item["id"]

    def start_generation(self, token: str, item_id: str, server: Server | None = None) -> dict:
        status, headers, body = (server or self.server).request(
            "POST", f"/v1/content/{item_id}/generate", token=token)
        assert status == 202, f"POST /v1/content/{item_id}/generate: {status} {body!r}"
        return body["job"]

    def job(self, token: str, job_id: str, server: Server | None = None) -> dict:
        status, _, job = (server or self.server).request("GET", f"/v1/jobs/{job_id}",
                                                         token=token)
        assert status == 200, f"GET /v1/jobs/{job_id}: {status} {job!r}"
        return job

    def wait_job(self, token: str, job_id: str, timeout: float = 30,
                 server: Server | None = None, context: Any = "") -> dict:
        """Polls the job until it has finished; fails with its last state and `context` (a
        string, or a callable giving one, e.g. the fake provider's summary) otherwise."""
        last: dict = {}

        def done() -> bool:
            last.clear()
            last.update(self.job(token, job_id, server))
            return last["state"] in FINISHED_JOB_STATES

        if not wait_until(done, timeout, 0.05):
            raise AssertionError(f"job {job_id} not finished within {timeout}s: {last!r}\n"
                                 + (context() if callable(context) else context))
        return last

    def item(self, token: str, item_id: str, server: Server | None = None) -> dict:
        status, _, item = (server or self.server).request("GET", f"/v1/content/{item_id}",
                                                          token=token)
        assert status == 200, f"GET /v1/content/{item_id}: {status} {item!r}"
        return item

    def usage_now(self, token: str, server: Server | None = None) -> dict:
        """GET /v1/usage; the AI counters reset with the content units (midnight UTC)."""
        status, _, u = (server or self.server).request("GET", "/v1/usage", token=token)
        assert status == 200, f"GET /v1/usage: {status} {u!r}"
        for k in ("ai_tokens_today", "images_today"):
            assert isinstance(u.get(k), dict), f"GET /v1/usage has no {k}: {u!r}"
            assert u[k].get("resets_at") == u["content_today"]["resets_at"], u
        return u

    def ai_usage(self, token: str, server: Server | None = None) -> tuple[dict, dict]:
        """(ai_tokens_today, images_today) of GET /v1/usage without their resets_at."""
        u = self.usage_now(token, server)
        return tuple({k: v for k, v in u[key].items() if k != "resets_at"}
                     for key in ("ai_tokens_today", "images_today"))

    def generate_and_wait(self, token: str, item_id: str, timeout: float = 30,
                          server: Server | None = None, context: Any = ""
                          ) -> tuple[dict, dict]:
        """(finished job, item after it)."""
        job = self.start_generation(token, item_id, server)
        done = self.wait_job(token, job["id"], timeout, server, context)
        return done, self.item(token, item_id, server)
