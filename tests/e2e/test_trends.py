"""E2E: trend discovery (POST /v1/trends/discover, the discover_trends job) against a local feed
server (feed_server.py).

- an RSS 2.0 and an Atom feed become inspiration items with the documented fields: the entry's
  link, its canonical URL (host lower case, default port, fragment and utm_* gone), title, HTML-free
  summary, RFC 3339 publication time, score and the brand terms it matched; entries matching no
  term or without a link are skipped, and the same page or a near-identical title is stored once;
- broken feeds (malformed XML, an HTML page, a 404, slower than the timeout, larger than the size
  cap) are each reported in the job result and do not stop the others;
- a second run creates nothing; two runs at the same moment create each item once;
- with the default egress policy, a feed on a loopback address and a redirect to one are refused;
- the brand's sources are validated, and discovery without feeds is a 409.
"""
import threading
import unittest

from feed_server import FeedServer, public_address
from harness import (ContentEngineHelpers, E2ETestCase, RFC3339_UTC_RE, drop_database,
                     fresh_database)

FAST_ENV = {"AUTOBLOG_JOB_POLL_MS": "100", "AUTOBLOG_JOB_RETRY_BASE_MS": "100",
            "AUTOBLOG_JOB_RETRY_MAX_MS": "500", "AUTOBLOG_TRENDS_FEED_TIMEOUT_MS": "1500",
            "AUTOBLOG_TRENDS_FEED_MAX_BYTES": "65536"}

TOPICS = ["home espresso", "coffee gear"]
KEYWORDS = ["espresso machine", "home barista"]
INSPIRATION_KEYS = {"source", "feed_title", "url", "canonical_url", "title", "title_key",
                    "summary", "published", "score", "matched"}


def brand(feeds, **sources):
    return {"voice_tone": {"tone": "warm"}, "topics": TOPICS,
            "seo_strategy": {"keywords": KEYWORDS},
            "sources": {"feeds": feeds, "every_hours": 24, "auto_generate": 0, **sources}}


class TrendsCase(ContentEngineHelpers, E2ETestCase):

    @classmethod
    def setUpClass(cls):
        cls.feeds = FeedServer().start()
        cls.addClassCleanup(cls.feeds.stop)
        cls.db = fresh_database("trends")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(
            cls.db, workers=2, env={**FAST_ENV, "AUTOBLOG_EGRESS_ALLOW_PRIVATE": "1"})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def discover(self, token, server=None):
        status, headers, body = (server or self.server).request(
            "POST", "/v1/trends/discover", token=token)
        self.assertEqual(status, 202, body)
        job = body["job"]
        self.assertEqual((job["kind"], job["priority"], job["state"]),
                         ("discover_trends", "normal", "queued"), job)
        self.assertEqual(headers.get("location"), f"/v1/jobs/{job['id']}")
        return job

    def run_discovery(self, token, server=None):
        job = self.discover(token, server)
        done = self.wait_job(token, job["id"], timeout=30, server=server)
        self.assertEqual(done["state"], "succeeded", done)
        return done["result"]

    def inspirations(self, token, server=None):
        status, _, page = (server or self.server).request(
            "GET", "/v1/content?status=inspiration&limit=100", token=token)
        self.assertEqual(status, 200, page)
        self.assertIsNone(page["next_cursor"])
        return page["items"]

    def by_url(self, result):
        return {f["url"]: f for f in result["feeds"]}


class DiscoveryTest(TrendsCase):

    def test_feeds_become_inspirations_once_and_broken_feeds_are_reported(self):
        f = self.feeds
        urls = {name: f.url(path) for name, path in [
            ("rss", "/rss.xml"), ("atom", "/atom.xml"), ("broken", "/broken.xml"),
            ("html", "/page.html"), ("missing", "/missing.xml"), ("slow", "/slow.xml"),
            ("huge", "/huge.xml")]}
        _, token = self.engine_tenant(brand=brand(list(urls.values())))
        result = self.run_discovery(token)
        feeds = self.by_url(result)
        self.assertEqual([x["url"] for x in result["feeds"]], list(urls.values()),
                         "one report per feed, in the brand's order")
        counts = lambda x: {k: x[k] for k in ("entries", "created", "duplicates", "skipped")}
        # RSS: the stock-market entry matches no term and one entry has no link: skipped.
        self.assertEqual(counts(feeds[urls["rss"]]),
                         {"entries": 4, "created": 2, "duplicates": 0, "skipped": 2}, result)
        self.assertEqual(feeds[urls["rss"]]["format"], "rss")
        # Atom: one entry repeats the RSS article's title, one its page (another campaign).
        self.assertEqual(counts(feeds[urls["atom"]]),
                         {"entries": 3, "created": 1, "duplicates": 2, "skipped": 0}, result)
        self.assertEqual(feeds[urls["atom"]]["format"], "atom")
        self.assertEqual(result["created"], 3)
        for name, code in [("broken", "malformed"), ("html", "malformed"),
                           ("missing", "http_status"), ("slow", "timeout"),
                           ("huge", "too_large")]:
            with self.subTest(feed=name):
                report = feeds[urls[name]]
                self.assertEqual(report.get("error", {}).get("code"), code, report)
                self.assertTrue(report["error"]["message"], report)
                self.assertEqual(counts(report), {"entries": 0, "created": 0, "duplicates": 0,
                                                  "skipped": 0})

        items = {i["inspiration_data"]["canonical_url"]: i for i in self.inspirations(token)}
        port = f.port
        self.assertEqual(set(items), {"https://coffee.example/reviews/machines?page=2",
                                      "https://barista.example/guides/dial-in",
                                      f"http://127.0.0.1:{port}/gear/grinders"})
        for item in items.values():
            self.assertEqual(item["status"], "inspiration")
            self.assertEqual(set(item["inspiration_data"]), INSPIRATION_KEYS, item)
        best = items["https://coffee.example/reviews/machines?page=2"]["inspiration_data"]
        self.assertEqual(best["source"], urls["rss"])
        self.assertEqual(best["feed_title"], "Espresso News")
        self.assertEqual(best["url"], "https://Coffee.Example:443/reviews/machines"
                                      "?utm_source=rss&utm_medium=feed&page=2#top")
        self.assertEqual(best["title"], "The best home espresso machines of 2026")
        self.assertEqual(best["summary"], "We tested twelve machines for the home barista.")
        self.assertEqual(best["published"], "2026-11-03T08:30:00.000000Z")
        self.assertRegex(best["published"], RFC3339_UTC_RE)
        # Title 3 points per term, summary 1.
        self.assertEqual(best["score"], 7)
        self.assertEqual(best["matched"], ["home espresso", "espresso machine", "home barista"])
        grinders = items[f"http://127.0.0.1:{port}/gear/grinders"]["inspiration_data"]
        self.assertEqual(grinders["title"], "Grinders & other coffee gear worth buying")
        self.assertEqual(grinders["url"], f"http://127.0.0.1:{port}/gear/grinders",
                         "a relative link is resolved against the feed's URL")
        self.assertEqual((grinders["score"], grinders["matched"]), (3, ["coffee gear"]))
        guide = items["https://barista.example/guides/dial-in"]["inspiration_data"]
        self.assertEqual(guide["source"], urls["atom"])
        self.assertEqual(guide["published"], "2026-11-04T09:00:00.000000Z")
        self.assertEqual(guide["summary"], "Grind finer, taste, repeat.")
        self.assertEqual((guide["score"], guide["matched"]), (3, ["home barista"]))

        # ---- a second run finds the same entries: nothing new
        again = self.by_url(self.run_discovery(token))
        self.assertEqual(counts(again[urls["rss"]]),
                         {"entries": 4, "created": 0, "duplicates": 2, "skipped": 2})
        self.assertEqual(counts(again[urls["atom"]]),
                         {"entries": 3, "created": 0, "duplicates": 3, "skipped": 0})
        self.assertEqual(len(self.inspirations(token)), 3)

        # ---- a feed added later brings only its own new entry
        status, _, _ = self.req("PUT", "/v1/brand",
                                brand([urls["rss"], urls["atom"], f.url("/second.xml")]),
                                token=token)
        self.assertEqual(status, 200)
        third = self.by_url(self.run_discovery(token))
        self.assertEqual(third[f.url("/second.xml")]["created"], 1, third)
        self.assertEqual(len(self.inspirations(token)), 4)

    def test_two_concurrent_runs_store_each_entry_once(self):
        # Both runs are held at the feed server until the other asks for the same feed, so they
        # parse the same entries and store them at the same moment.
        _, token = self.engine_tenant(brand=brand([self.feeds.url("/gate/rss.xml"),
                                                   self.feeds.url("/gate/atom.xml")]))
        jobs = [None, None]

        def start(k):
            client = self.server.client()  # a connection of its own: one per thread
            try:
                jobs[k] = self.discover(token, server=client)
            finally:
                client._close_conn()

        threads = [threading.Thread(target=start, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all(jobs), "both requests were answered 202")
        done = [self.wait_job(token, j["id"], timeout=30) for j in jobs]
        for d in done:
            self.assertEqual(d["state"], "succeeded", d)
        self.assertEqual(sum(d["result"]["created"] for d in done), 3, done)
        items = self.inspirations(token)
        urls = [i["inspiration_data"]["canonical_url"] for i in items]
        self.assertEqual(len(urls), 3, items)
        self.assertEqual(len(set(urls)), 3, urls)

    def test_each_tenant_has_its_own_inspirations(self):
        feeds = [self.feeds.url("/rss.xml")]
        _, token_a = self.engine_tenant(brand=brand(feeds))
        _, token_b = self.engine_tenant(brand=brand(feeds))
        self.assertEqual(self.run_discovery(token_a)["created"], 2)
        self.assertEqual(self.run_discovery(token_b)["created"], 2,
                         "another tenant's items do not count as duplicates")
        ids_a = {i["id"] for i in self.inspirations(token_a)}
        ids_b = {i["id"] for i in self.inspirations(token_b)}
        self.assertEqual(len(ids_a), 2)
        self.assertFalse(ids_a & ids_b)

    def test_brand_sources_are_validated(self):
        _, token = self.engine_tenant(brand=None)
        # No brand yet, then a brand without feeds: nothing to discover.
        self.assertError(self.req("POST", "/v1/trends/discover", token=token), 409, "conflict")
        base = brand([])
        self.assertStatus(self.req("PUT", "/v1/brand", base, token=token), 200)
        self.assertError(self.req("POST", "/v1/trends/discover", token=token), 409, "conflict")
        bad = {
            "not an object": "feeds",
            "feeds not an array": {"feeds": "https://x.example/feed"},
            "a relative URL": {"feeds": ["/feed.xml"]},
            "ftp": {"feeds": ["ftp://x.example/feed.xml"]},
            "javascript": {"feeds": ["javascript:alert(1)"]},
            "no host": {"feeds": ["http:///feed.xml"]},
            "not a string": {"feeds": [42]},
            "51 feeds": {"feeds": [f"https://x.example/{i}.xml" for i in range(51)]},
            "every_hours 0": {"every_hours": 0},
            "every_hours 721": {"every_hours": 721},
            "every_hours fractional": {"every_hours": 1.5},
            "auto_generate -1": {"auto_generate": -1},
            "auto_generate 51": {"auto_generate": 51},
        }
        for why, sources in bad.items():
            with self.subTest(why=why):
                body = {**base, "sources": sources}
                self.assertError(self.req("PUT", "/v1/brand", body, token=token), 400,
                                 "invalid_request", why)
        good = {**base, "sources": {"feeds": [self.feeds.url("/rss.xml")], "every_hours": 720,
                                    "auto_generate": 50, "note": "kept"}}
        status, _, stored = self.req("PUT", "/v1/brand", good, token=token)
        self.assertEqual(status, 200, stored)
        self.assertEqual(stored["sources"], good["sources"])
        status, _, got = self.req("GET", "/v1/brand", token=token)
        self.assertEqual(got["sources"], good["sources"])
        self.assertEqual(self.run_discovery(token)["created"], 2)


class EgressPolicyTest(TrendsCase):
    """The default egress policy (AUTOBLOG_EGRESS_ALLOW_PRIVATE unset), on a server and database
    of its own (a shared queue would let the other server's workers run these jobs)."""

    @classmethod
    def setUpClass(cls):
        cls.feeds = FeedServer().start()
        cls.addClassCleanup(cls.feeds.stop)
        cls.db = fresh_database("trends_egress")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, workers=1, env=FAST_ENV)

    def test_loopback_feeds_and_redirects_to_loopback_are_refused(self):
        public = public_address()
        feeds = [self.feeds.url("/rss.xml")]
        if public:
            feeds.append(self.feeds.url("/redirect-private", host=public))
        _, token = self.engine_tenant(brand=brand(feeds))
        result = self.run_discovery(token)
        reports = self.by_url(result)
        for url in feeds:
            self.assertEqual(reports[url].get("error", {}).get("code"), "egress_refused", result)
        self.assertEqual(result["created"], 0)
        self.assertEqual(self.inspirations(token), [])
        self.assertEqual(self.feeds.hit_count("/rss.xml"), 0, "no connection to 127.0.0.1")
        if public:
            self.assertGreaterEqual(self.feeds.hit_count("/redirect-private"), 1,
                                    f"the first hop to {public} is allowed")
            self.assertEqual(self.feeds.hit_count("/private-target"), 0,
                             "the redirect to 127.0.0.1 is never followed")
        else:
            print("note: no non-internal local address; only the direct loopback feed checked")


if __name__ == "__main__":
    unittest.main()
