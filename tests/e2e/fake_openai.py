"""A small OpenAI-compatible server for the content engine's end-to-end tests and benchmark
(standard library and the e2e harness only).

    with FakeOpenAI(keywords=["espresso machine"]) as ai:
        env = {"AUTOBLOG_AI_BASE_URL": ai.base_url, "AUTOBLOG_AI_API_KEY": ai.api_key}
        ai.push("chat", status(429, headers={"Retry-After": "1"}))   # the next chat call only
        ...
        ai.requests("chat")   # every chat request received, oldest first

It listens on 127.0.0.1 (a free port) in a thread of the test process and serves
`POST /v1/chat/completions` and `POST /v1/images/generations`:

- chat: a request whose messages mention `body_markdown` asks for an ARTICLE and gets the JSON
  object {title, slug, meta_description, outline, body_markdown, keywords} as the message
  content (a ~400-word markdown body with `##` sections that uses `keywords`); any other chat
  request asks for a BRIEF and gets {angle, audience, outline, keywords}. The answer reports
  token usage and echoes the requested model.
- images: {"data": [{"b64_json": <a real 8x8 PNG>}]} (PNG_BYTES).

Every request is recorded (Recorded: monotonic and wall-clock time of arrival, path, headers,
parsed JSON body) before it is answered, so a test can assert what was sent even when the answer
is an error or never comes.

Misbehaviour is scripted per endpoint ("chat", "images") as a queue of one-shot behaviours: each
request takes the next one, and once the queue is empty the default answer applies again. The
behaviours are the small functions below (status, delay, hang, content, article, raw_body).
Thread-safe: handlers run in their own threads; the queues and the record share one lock.
"""
from __future__ import annotations

import base64
import json
import os
import struct
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness import encode_body

# --------------------------------------------------------------------------------------------
# The image: a real PNG (signature, IHDR, IDAT through zlib, IEND), 8x8 RGB.


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def make_png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    # each scanline starts with filter type 0 (none)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(raw)) + _png_chunk(b"IEND", b""))


PNG_BYTES = make_png()

# --------------------------------------------------------------------------------------------
# Scripted behaviours (one request each)

MISSING = object()  # article(title=MISSING): the field is left out of the answer


@dataclass
class Behaviour:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None          # a whole HTTP body (dict/list -> JSON, str/bytes verbatim)
    content: str | None = None  # chat: the message content instead of the default
    fields: dict[str, Any] = field(default_factory=dict)  # chat article: fields replaced
    delay: float = 0.0        # seconds to wait before answering
    hang: bool = False        # never answer (until the server stops)

    def describe(self) -> str:
        if self.hang:
            return "hang"
        parts = [f"{self.status}"]
        if self.delay:
            parts.append(f"after {self.delay}s")
        if self.content is not None:
            parts.append(f"content {self.content[:40]!r}")
        if self.fields:
            parts.append(f"fields {sorted(self.fields)}")
        if self.body is not None:
            parts.append("raw body")
        return " ".join(parts)


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Behaviour:
    """An HTTP error (or any status): body defaults to OpenAI's error shape."""
    if body is None:
        body = {"error": {"message": f"fake provider says {code}", "type": "fake_error",
                          "code": None}}
    return Behaviour(status=code, body=body, headers=dict(headers or {}))


def delay(seconds: float) -> Behaviour:
    """The default answer, `seconds` late."""
    return Behaviour(delay=seconds)


def hang() -> Behaviour:
    """Reads the request and never answers; the connection is closed when the server stops."""
    return Behaviour(hang=True)


def content(text: str) -> Behaviour:
    """A well-formed chat completion whose message content is `text` (e.g. not JSON)."""
    return Behaviour(content=text)


def article(**fields: Any) -> Behaviour:
    """The default article with `fields` replaced; a value of MISSING removes the field."""
    return Behaviour(fields=fields)


def raw_body(body: Any) -> Behaviour:
    """HTTP 200 with `body` as the whole response (not the OpenAI shape)."""
    return Behaviour(body=body)


# --------------------------------------------------------------------------------------------
# Default answers

BRIEF_OUTLINE = ["Why it matters", "Choosing well", "Daily care", "Common mistakes"]


def default_brief(keywords: list[str]) -> dict[str, Any]:
    return {"angle": "a practical guide for people starting out",
            "audience": "home enthusiasts who want better results without fuss",
            "outline": list(BRIEF_OUTLINE), "keywords": list(keywords)}


def default_article(keywords: list[str], topic: str, slug: str | None = None) -> dict[str, Any]:
    """A realistic article: short sentences, four sections of about 100 words, each keyword used
    about twice per 100 words, a title under 60 and a meta description of 120-156 characters."""
    k1 = keywords[0] if keywords else topic
    k2 = keywords[1] if len(keywords) > 1 else k1
    title = f"A Simple Guide to {topic.title()}"[:60]
    meta = (f"Learn how to choose, use and care for your {k1}. Simple steps, honest advice and "
            f"the mistakes to avoid, written for beginners.")
    if len(meta) > 156:  # long keywords: keep the description in Yoast's range
        meta = meta[:153].rstrip() + "..."
    sections = {
        "Why it matters": [
            f"A good {k1} changes your mornings. It gives you control over every cup. "
            f"You choose the beans, the grind and the time. That is the whole appeal.",
            f"Many people start with a cheap model. Then they want more. A {k2} setup grows "
            f"with you. It rewards care and patience. It also saves money over a year.",
            "Start small and learn the basics first. Taste every cup and take notes. Change one "
            "thing at a time. Soon you will know what you like.",
        ],
        "Choosing well": [
            f"Look at build quality before features. A solid {k1} lasts for years. Check the "
            f"boiler, the pump and the steam wand. Read reviews from real owners.",
            f"Think about space on your counter. Think about your budget too. A {k2} does not "
            f"need to be expensive. It needs to be reliable and easy to clean.",
            "Buy a decent grinder at the same time. The grinder matters as much as the machine. "
            "Fresh beans matter most of all.",
        ],
        "Daily care": [
            f"Clean your {k1} after every session. Flush the group head with hot water. Wipe "
            f"the steam wand at once. Empty the drip tray each day.",
            f"Descale every month if your water is hard. Use filtered water when you can. A "
            f"clean {k2} makes sweeter coffee. It also breaks down less often.",
            "Replace the gaskets once a year. Keep a small brush nearby. Good habits take only "
            "a minute.",
        ],
        "Common mistakes": [
            f"The most common mistake is old coffee. Beans lose flavour within weeks. Buy small "
            f"bags and store them sealed. Your {k1} cannot fix stale beans.",
            f"Another mistake is rushing the shot. Give the {k2} time to heat up. Weigh your "
            f"dose and your yield. Keep the same ratio while you learn.",
            "Finally, do not give up after a bad week. Every barista pulls bad shots. Keep "
            "tasting and keep adjusting.",
        ],
        "Final thoughts": [
            f"You do not need to be an expert to enjoy great coffee at home. Pick a {k1} you "
            f"trust and learn it well. Keep it clean. Buy fresh beans. Be patient with "
            f"yourself. The best {k2} is the one who keeps practising.",
        ],
    }
    intro = (f"This guide covers the basics of {topic}. It explains what to look for, how to "
             f"care for your gear and which mistakes to avoid.")
    body = intro + "\n\n" + "\n\n".join(
        f"## {heading}\n\n" + "\n\n".join(paragraphs) for heading, paragraphs in sections.items())
    return {"title": title, "slug": slug or "a-simple-guide",
            "meta_description": meta, "outline": list(sections),
            "body_markdown": body, "keywords": list(keywords)}


# --------------------------------------------------------------------------------------------
# The server


@dataclass
class Recorded:
    endpoint: str             # "chat", "images" or "other"
    path: str
    headers: dict[str, str]   # lower-case names
    body: Any                 # parsed JSON, or the raw text when it is not JSON
    received: float           # time.monotonic() when the request was read
    wall: float               # time.time() at the same moment
    answered: str = ""        # what the server did (for failure messages)
    client_pid: int | None = None  # the sending process, when FakeOpenAI.client_pids is set

    def prompt_text(self) -> str:
        """Every message's content, joined (chat requests)."""
        msgs = self.body.get("messages", []) if isinstance(self.body, dict) else []
        return "\n".join(str(m.get("content", "")) for m in msgs if isinstance(m, dict))

    def is_article_request(self) -> bool:
        return self.endpoint == "chat" and "body_markdown" in self.prompt_text()


ENDPOINTS = {"/v1/chat/completions": "chat", "/v1/images/generations": "images"}


def socket_owner(local_port: int, pids: list[int]) -> int | None:
    """The process among `pids` holding the loopback TCP socket bound to `local_port` (the
    client's end of a connection to us), from /proc/net/tcp and /proc/PID/fd (Linux)."""
    if not pids:
        return None
    inode = None
    try:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if int(cols[1].rsplit(":", 1)[1], 16) == local_port:
                    inode = cols[9]
                    break
    except OSError:
        return None
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


class FakeOpenAI:
    """See the module docstring. `keywords` and `topic` shape the default article; `slug` is
    the slug every default article carries (tests of slug uniqueness)."""

    def __init__(self, keywords: list[str] | None = None, topic: str = "home espresso",
                 slug: str | None = None, api_key: str = "sk-test-fake-0123456789abcdef",
                 prompt_tokens: int = 120, completion_tokens: int = 480):
        self.keywords = list(keywords or ["espresso machine", "home barista"])
        self.topic = topic
        self.slug = slug
        self.api_key = api_key
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Behaviour]] = {"chat": deque(), "images": deque()}
        self._record: list[Recorded] = []
        self._stopping = threading.Event()
        # Processes whose requests should be told apart (e.g. two worker processes): each
        # request's client_pid is looked up among them while its connection is open.
        self.client_pids: list[int] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> "FakeOpenAI":
        fake = self

        class Handler(_Handler):
            owner = fake

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hung handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def env(self, **extra: str) -> dict[str, str]:
        """Server environment pointing the openai provider here."""
        return {"AUTOBLOG_AI_BASE_URL": self.base_url, "AUTOBLOG_AI_API_KEY": self.api_key,
                **extra}

    # ---- scripting and inspection

    def push(self, endpoint: str, *behaviours: Behaviour) -> None:
        """Queues one-shot behaviours for the next requests to `endpoint` ("chat"/"images")."""
        with self._lock:
            self._queues[endpoint].extend(behaviours)

    def pending(self, endpoint: str) -> int:
        """Scripted behaviours not used yet."""
        with self._lock:
            return len(self._queues[endpoint])

    def reset(self) -> None:
        """Forgets the record and the scripts (between tests sharing one fake)."""
        with self._lock:
            self._record.clear()
            for q in self._queues.values():
                q.clear()

    def requests(self, endpoint: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self._record if endpoint is None or r.endpoint == endpoint]

    def summary(self) -> str:
        """One line per request, for failure messages."""
        t0 = None
        lines = []
        for r in self.requests():
            t0 = r.received if t0 is None else t0
            kind = "article" if r.is_article_request() else r.endpoint
            model = r.body.get("model") if isinstance(r.body, dict) else None
            lines.append(f"  +{r.received - t0:7.3f}s {kind:8} model={model} -> {r.answered}")
        return "fake provider saw:\n" + ("\n".join(lines) if lines else "  nothing")

    # ---- used by the handler

    def _next(self, endpoint: str) -> Behaviour:
        with self._lock:
            q = self._queues.get(endpoint)
            return q.popleft() if q else Behaviour()

    def _remember(self, rec: Recorded) -> None:
        with self._lock:
            self._record.append(rec)

    def _chat_answer(self, rec: Recorded, b: Behaviour) -> dict[str, Any]:
        if b.content is not None:
            text = b.content
        elif rec.is_article_request():
            a = default_article(self.keywords, self.topic, self.slug)
            for k, v in b.fields.items():
                if v is MISSING:
                    a.pop(k, None)
                else:
                    a[k] = v
            text = json.dumps(a)
        else:
            text = json.dumps(default_brief(self.keywords))
        model = rec.body.get("model") if isinstance(rec.body, dict) else None
        return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(rec.wall),
                "model": model or "fake-model",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": self.prompt_tokens,
                          "completion_tokens": self.completion_tokens,
                          "total_tokens": self.prompt_tokens + self.completion_tokens}}

    def _images_answer(self, rec: Recorded) -> dict[str, Any]:
        return {"created": int(rec.wall),
                "data": [{"b64_json": base64.b64encode(PNG_BYTES).decode("ascii"),
                          "revised_prompt": "a fake picture"}]}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeOpenAI
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        received, wall = time.monotonic(), time.time()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        path = self.path.split("?", 1)[0]
        endpoint = ENDPOINTS.get(path, "other")
        fake = self.owner
        rec = Recorded(endpoint=endpoint, path=path,
                       headers={k.lower(): v for k, v in self.headers.items()}, body=body,
                       received=received, wall=wall,
                       client_pid=socket_owner(self.client_address[1], fake.client_pids))
        b = fake._next(endpoint) if endpoint != "other" else status(404)
        rec.answered = b.describe()
        fake._remember(rec)

        if b.hang:
            fake._stopping.wait()
            self.close_connection = True
            return
        if b.delay and fake._stopping.wait(b.delay):
            self.close_connection = True
            return
        if b.body is not None:
            self._send(b.status, b.body, b.headers)
        elif b.status != 200:
            self._send(b.status, status(b.status).body, b.headers)
        elif endpoint == "chat":
            self._send(200, fake._chat_answer(rec, b), b.headers)
        else:
            self._send(200, fake._images_answer(rec), b.headers)

    def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = encode_body(body)
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing to answer
