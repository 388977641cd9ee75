"""A local feed server for the trend discovery tests (standard library only).

Serves fixed RSS 2.0 and Atom documents plus the feeds that must fail: malformed XML, an HTML
page, a 404, a response slower than the discovery timeout, one larger than the size cap, and a
redirect to a loopback address. It listens on every interface, so that a test can reach it both
on 127.0.0.1 and on a non-internal address of this machine (see public_address()).

Tests may add documents of their own: `documents[path] = (body, content_type)`.

/gate/<name> holds each request until `gate_size` requests for the same path are waiting (or
10 s pass), so two discovery runs fetch at the same moment and race to store the same entries.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Espresso News</title>
  <link>http://feeds.example/</link>
  <item>
    <title>The best home espresso machines of 2026</title>
    <link>https://Coffee.Example:443/reviews/machines?utm_source=rss&amp;utm_medium=feed&amp;page=2#top</link>
    <description>&lt;p&gt;We tested &lt;b&gt;twelve&lt;/b&gt; machines for the home barista.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>
    <pubDate>Tue, 03 Nov 2026 09:30:00 +0100</pubDate>
  </item>
  <item>
    <title><![CDATA[Grinders & other coffee gear worth buying]]></title>
    <link>/gear/grinders</link>
    <description>A roundup of burrs, scales and kettles.</description>
    <pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate>
  </item>
  <item>
    <title>Stock markets rally on Tuesday</title>
    <link>https://finance.example/markets</link>
    <description>Nothing about coffee here.</description>
    <pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate>
  </item>
  <item>
    <title>Entry without a link</title>
    <description>home espresso, but nowhere to read it</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Barista Weekly</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-11-04T12:00:00Z</updated>
  <entry>
    <title>Dialling in espresso: a home barista guide</title>
    <link rel="alternate" href="https://barista.example/guides/dial-in"/>
    <link rel="edit" href="https://barista.example/edit/1"/>
    <id>urn:1</id>
    <published>2026-11-04T11:00:00+02:00</published>
    <summary type="html">Grind finer, &lt;em&gt;taste&lt;/em&gt;, repeat.</summary>
  </entry>
  <entry>
    <title>The Best Home Espresso Machines of 2026!</title>
    <link href="https://mirror.example/copy-of-machines"/>
    <id>urn:2</id>
    <updated>2026-11-01T00:00:00Z</updated>
    <summary>Same article, other site.</summary>
  </entry>
  <entry>
    <title>Which espresso machine for a small kitchen</title>
    <link href="https://coffee.example/reviews/machines?page=2&amp;utm_campaign=x"/>
    <id>urn:3</id>
    <updated>2026-11-01T00:00:00Z</updated>
    <summary>The same page as the RSS feed's first entry, reached through another campaign.</summary>
  </entry>
</feed>
"""

SECOND_RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Second feed</title>
<item><title>A new coffee gear review appears</title><link>https://coffee.example/new-gear</link>
<pubDate>Wed, 04 Nov 2026 07:00:00 GMT</pubDate></item>
</channel></rss>
"""


def public_address() -> str | None:
    """An address of this machine that the server's default egress policy allows (not loopback,
    private, CGNAT, link-local, multicast or unspecified), or None."""
    candidates = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: only picks the outgoing interface
            candidates.add(s.getsockname()[0])
    except OSError:
        pass
    try:
        candidates.update(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    refused = [ipaddress.ip_network(n) for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")]
    for a in sorted(candidates):
        ip = ipaddress.ip_address(a)
        if not any(ip in n for n in refused):
            return a
    return None


class FeedServer:
    def __init__(self, gate_size: int = 2):
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.gate_size = gate_size
        self.gate = threading.Condition(self.lock)
        self.gate_waiting: dict[str, int] = {}
        self.stopping = threading.Event()
        self.documents: dict[str, tuple[bytes, str]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body: bytes, ctype="application/xml", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?")[0]
                with server.lock:
                    server.hits[path] = server.hits.get(path, 0) + 1
                if path.startswith("/gate/"):
                    server.wait_at_gate(path)
                    path = "/" + path[len("/gate/"):]
                with server.lock:
                    document = server.documents.get(path)
                if document is not None:
                    self.send(200, document[0], document[1])
                elif path == "/rss.xml":
                    self.send(200, RSS.encode())
                elif path == "/atom.xml":
                    self.send(200, ATOM.encode(), "application/atom+xml")
                elif path == "/second.xml":
                    self.send(200, SECOND_RSS.encode())
                elif path == "/broken.xml":
                    self.send(200, b"<?xml version='1.0'?><rss><channel><item><title>cut")
                elif path == "/page.html":
                    self.send(200, b"<!DOCTYPE html><html><body>not a feed</body></html>",
                              "text/html")
                elif path == "/slow.xml":
                    server.stopping.wait(8)
                    self.send(200, RSS.encode())
                elif path == "/huge.xml":
                    item = b"<item><title>home espresso</title><link>https://x.example/</link></item>"
                    body = b"<rss><channel>" + item * 5000 + b"</channel></rss>"
                    self.send(200, body)
                elif path == "/redirect-private":
                    port = self.server.server_address[1]
                    self.send(302, b"", headers=[
                        ("Location", f"http://127.0.0.1:{port}/private-target")])
                elif path == "/private-target":
                    self.send(200, RSS.encode())
                else:
                    self.send(404, b"no such feed", "text/plain")

        self.httpd = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def wait_at_gate(self, path: str):
        """Holds a request for `path` until gate_size of them wait (each path its own gate)."""
        with self.gate:
            self.gate_waiting[path] = self.gate_waiting.get(path, 0) + 1
            if self.gate_waiting[path] >= self.gate_size:
                self.gate_waiting[path] = 0
                self.gate.notify_all()
            else:
                self.gate.wait(10)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hit_count(self, path: str) -> int:
        with self.lock:
            return self.hits.get(path, 0)

    def start(self) -> "FeedServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
