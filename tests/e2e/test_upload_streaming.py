"""E2E: PUT /v1/files/{key} streams the body to storage in bounded chunks, on both backends
(local files; S3 via s3rver, multipart above one 5 MiB part): the server's resident memory grows
by far less than the object while a 96 MiB upload is under way, the bytes round-trip exactly, a
chunked upload (no Content-Length) works and is held to the quota as it streams, and a client
that disconnects mid-upload leaves no object (and, on local disk, no temp file).
"""
import hashlib
import os
import socket
import threading
import unittest

from harness import (E2ETestCase, S3Client, S3rver, drop_database, fresh_database, q, s3_env,
                     s3rver_bin, shared_s3_endpoint, wait_until)

MiB = 1024 * 1024
SIZE = 96 * MiB
MAX_OBJECT = 100 * MiB
# Local storage holds 1 MiB per upload (measured growth: about 1 MiB). S3 holds one 5 MiB part at
# a time, but glibc may keep a freed part resident in each I/O thread's malloc arena (measured:
# 15-20 MiB, the same for 64 and 150 MiB uploads). A third of the object: a body held whole
# (growth >= SIZE) fails it.
MAX_GROWTH = 32 * MiB


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def block(i: int, size: int) -> bytes:
    """Deterministic, incompressible-looking data: block i of the upload."""
    seed = hashlib.sha256(i.to_bytes(8, "big")).digest()
    return (seed * (size // len(seed) + 1))[:size]


class StreamingCases:
    backend = "?"

    def head(self, key, length=None):
        framing = (f"Content-Length: {length}\r\n" if length is not None
                   else "Transfer-Encoding: chunked\r\n")
        return (f"PUT /v1/files/{key} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {self.tok}\r\nContent-Type: application/octet-stream\r\n"
                f"{framing}\r\n").encode()

    def upload(self, key, size, chunked=False, piece=256 * 1024, sample=None):
        """Sends `size` bytes on a raw socket; returns (status line, sha256 of what was sent)."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=60)
        digest = hashlib.sha256()
        try:
            s.sendall(self.head(key, None if chunked else size))
            sent, i = 0, 0
            while sent < size:
                data = block(i, min(piece, size - sent))
                digest.update(data)
                s.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
                sent += len(data)
                i += 1
                if sample:
                    sample()
            if chunked:
                s.sendall(b"0\r\n\r\n")
            response = b""
            while b"\r\n\r\n" not in response:
                got = s.recv(65536)
                if not got:
                    break
                response += got
            return response.split(b"\r\n", 1)[0].decode(), digest.hexdigest()
        finally:
            s.close()

    def test_large_upload_memory_is_bounded_and_bytes_round_trip(self):
        pid = self.server.proc.pid
        # Warm up allocator pools and connections with a small upload first.
        status, _ = self.upload("warm/up.bin", 2 * MiB)
        self.assertIn(" 201 ", status)
        baseline = rss_bytes(pid)
        peak = [baseline]
        stop = threading.Event()

        def sampler():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_bytes(pid))
                stop.wait(0.01)

        t = threading.Thread(target=sampler, daemon=True)
        t.start()
        try:
            status, sent_sha = self.upload("big/96.bin", SIZE)
        finally:
            stop.set()
            t.join()
        self.assertIn(" 201 ", status)
        growth = peak[0] - baseline
        # ASan keeps freed memory in its quarantine (256 MiB by default), so there RSS follows the
        # bytes allocated, not the bytes held; the bound is checked by the other builds.
        if os.environ.get("AUTOBLOG_SANITIZER") != "asan":
            self.assertLess(growth, MAX_GROWTH,
                            f"RSS grew by {growth / MiB:.1f} MiB during a {SIZE // MiB} MiB upload")
        status, _, body = self.server.request("GET", "/v1/files/big/96.bin", token=self.tok,
                                              timeout=120)
        self.assertEqual(status, 200)
        self.assertEqual(len(body), SIZE)
        self.assertEqual(hashlib.sha256(body).hexdigest(), sent_sha)
        status, _, listing = self.server.request("GET", q("/v1/files", prefix="big/96"),
                                                 token=self.tok)
        self.assertEqual([(i["key"], i["size"]) for i in listing["items"]],
                         [("big/96.bin", SIZE)])
        self.assertEqual(self.server.request("DELETE", "/v1/files/big/96.bin",
                                             token=self.tok)[0], 204)

    def test_chunked_upload_streams(self):
        size = 9 * MiB + 7  # over one S3 part
        status, sent_sha = self.upload("chunked/a.bin", size, chunked=True)
        self.assertIn(" 201 ", status)
        status, _, body = self.server.request("GET", "/v1/files/chunked/a.bin", token=self.tok,
                                              timeout=60)
        self.assertEqual((status, len(body)), (200, size))
        self.assertEqual(hashlib.sha256(body).hexdigest(), sent_sha)

    def test_chunked_upload_past_the_quota_is_429_and_stores_nothing(self):
        t, tok = self.server.new_tenant_with_token("growth")
        status, _, body = self.server.admin("PATCH", f"/v1/admin/tenants/{t['id']}",
                                            {"limits": {"storage_bytes": 3 * MiB}})
        self.assertEqual(status, 200, body)
        saved = self.tok
        self.tok = tok
        try:
            status, _ = self.upload("q/fits.bin", 2 * MiB, chunked=True)
            self.assertIn(" 201 ", status)
            status, _ = self.upload("q/over.bin", 2 * MiB, chunked=True)
            self.assertIn(" 429 ", status, "a chunked upload past the quota")
            status, _ = self.upload("q/over.bin", 2 * MiB)  # declared: refused up front
            self.assertIn(" 429 ", status, "a declared length past the quota")
        finally:
            self.tok = saved
        status, _, listing = self.server.request("GET", q("/v1/files", prefix="q/"), token=tok)
        self.assertEqual([i["key"] for i in listing["items"]], ["q/fits.bin"])
        self.assertTrue(wait_until(self.no_upload_in_progress, 20))

    def test_disconnect_mid_upload_leaves_nothing(self):
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                key = f"gone/{int(chunked)}.bin"
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
                try:
                    s.sendall(self.head(key, None if chunked else 32 * MiB))
                    for i in range(40):  # 10 MiB: past one S3 part
                        data = block(i, 256 * 1024)
                        s.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
                finally:
                    s.close()
                self.assertTrue(wait_until(self.no_upload_in_progress, 20),
                                "an abandoned upload left a temp file")
                status, _, body = self.server.request("GET", f"/v1/files/{key}", token=self.tok)
                self.assertEqual(status, 404, body)
                self.assertEqual(self.stored(key), [])
        # The server is fine afterwards.
        status, _, info = self.server.request("PUT", "/v1/files/gone/after.bin", b"ok",
                                              token=self.tok)
        self.assertEqual((status, info["size"]), (201, 2))


class LocalStreamingTest(StreamingCases, E2ETestCase):
    backend = "local"

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("stream_local")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, env={"AUTOBLOG_MAX_OBJECT_BYTES": str(MAX_OBJECT)})
        cls.t, cls.tok = cls.server.new_tenant_with_token("growth")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def no_upload_in_progress(self):
        return not os.listdir(os.path.join(self.server.data_dir, "storage", ".tmp"))

    def stored(self, key):
        path = os.path.join(self.server.data_dir, "storage", "tenants", self.t["id"], key)
        return [key] if os.path.exists(path) else []


class S3StreamingTest(StreamingCases, E2ETestCase):
    backend = "s3"

    @classmethod
    def setUpClass(cls):
        endpoint = shared_s3_endpoint()
        if endpoint is None:
            if s3rver_bin() is None:
                raise unittest.SkipTest("no S3 endpoint and no node_modules/.bin/s3rver")
            s3 = S3rver()
            cls.addClassCleanup(s3.cleanup)
            s3.start()
            endpoint = s3.endpoint
        cls.s3 = S3Client(endpoint)
        cls.db = fresh_database("stream_s3")
        cls.addClassCleanup(drop_database, cls.db)
        env = {"AUTOBLOG_MAX_OBJECT_BYTES": str(MAX_OBJECT), **s3_env(endpoint)}
        cls.server = cls.start_server(cls.db, env=env)
        cls.t, cls.tok = cls.server.new_tenant_with_token("growth")

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def no_upload_in_progress(self):
        # Nothing to wait for: a multipart upload becomes an object only when completed, which
        # needs the whole body (the abandoned parts are aborted; s3rver ignores the abort).
        return True

    def stored(self, key):
        return [k for k in self.s3.list_objects(f"tenants/{self.t['id']}/gone/")
                if k.endswith(key)]


if __name__ == "__main__":
    unittest.main()
