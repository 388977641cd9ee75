"""E2E: publishing and the hosted blog (docs/publishing.md).

- POST /v1/content/{id}/publish from approved only (409 otherwise, 404 for another tenant's
  item); the publish_content job makes the item published with published_at and the hosted
  outcome in `publications`; publish_at in the future: scheduled, then published once;
- POST /v1/content/{id}/unpublish takes the post off the blog, the item back to approved;
- two tenants with domains, pages fetched with the Host header: each blog shows only its own
  posts, also by slug and image path; unknown hosts get 404 on blog paths while the API works;
- a post whose Markdown holds <script> and a javascript: link renders them inert;
- feed.xml, sitemap.xml and robots.txt parse and list the posts.
"""
import datetime as _dt
import http.client
import secrets
import unittest
import xml.etree.ElementTree as ET

from harness import E2ETestCase, drop_database, fresh_database, psql, wait_until


def article(title, slug, body):
    return {"title": title, "slug": slug, "meta_description": f"About {title} & more <b>",
            "outline": [], "body_markdown": body, "keywords": []}


class HostedBlogTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("hosted")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, workers=2,
                                      env={"AUTOBLOG_BLOG_VIEWS_FLUSH_MS": "200"})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    # ---- helpers

    def tenant(self, domain):
        t = self.server.create_tenant(name=f"Blog <{secrets.token_hex(3)}>", domain=domain)
        return t, self.server.tenant_token(t["id"])

    def approved_item(self, tenant, token, title, slug, body, image=False):
        """An approved item with an article (set directly: generation is tested elsewhere)."""
        status, _, item = self.server.request(
            "POST", "/v1/content", {"inspiration_data": {"idea": title}}, token=token)
        self.assertEqual(status, 201, item)
        import json
        art = json.dumps(article(title, slug, body)).replace("'", "''")
        assets = "NULL"
        if image:
            assets = f"'{{\"hero\": {{\"key\": \"assets/{item['id']}/hero.png\"}}}}'"
        psql(self.db, f"UPDATE \"{tenant['schema_name']}\".content_pipelines SET "
                      f"status = 'approved', generated_content = '{art}'::jsonb, "
                      f"visual_assets = {assets} WHERE id = '{item['id']}'")
        return item["id"]

    def item(self, token, item_id):
        status, _, item = self.server.request("GET", f"/v1/content/{item_id}", token=token)
        self.assertEqual(status, 200, item)
        return item

    def publish(self, token, item_id, body=None, expect=202):
        status, _, data = self.server.request("POST", f"/v1/content/{item_id}/publish",
                                              body if body is not None else {}, token=token)
        self.assertEqual(status, expect, data)
        return data

    def wait_status(self, token, item_id, status, timeout=20):
        return wait_until(lambda: (lambda i: i if i["status"] == status else None)(
            self.item(token, item_id)), timeout)

    def blog(self, host, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": host})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def blog_until(self, host, path, predicate, timeout=10):
        """The page once `predicate(status, body)` holds (invalidation arrives by NOTIFY)."""
        last = []

        def check():
            s, h, b = self.blog(host, path)
            last[:] = [s, b]
            return (s, h, b) if predicate(s, b) else None
        found = wait_until(check, timeout)  # the last value (None) on timeout
        if found is None:
            self.fail(f"{host}{path}: last answer {last[:1]} {last[1:][0][:300]!r}")
        return found

    # ---- tests

    def test_publish_isolation_and_escaping(self):
        a, ta = self.tenant(f"a-{secrets.token_hex(3)}.example")
        b, tb = self.tenant(f"b-{secrets.token_hex(3)}.example")
        evil = ("Hello **world**.\n\n<script>alert('x')</script>\n\n"
                "[click](javascript:alert(1)) and <img src=x onerror=alert(2)>\n")
        ia = self.approved_item(a, ta, "Espresso <basics>", "espresso-basics", evil, image=True)
        ib = self.approved_item(b, tb, "Tea time", "tea-time", "All about *tea*.")

        # Nothing published yet: the index is empty, the post is a 404. (The new domain reaches
        # the blog's directory by notification: wait for it.)
        s, h, body = self.blog_until(a["domain"], "/", lambda s, b: s == 200)
        self.assertIn("text/html", h["content-type"])
        self.assertNotIn(b"espresso-basics", body)
        self.assertEqual(self.blog(a["domain"], "/posts/espresso-basics")[0], 404)

        data = self.publish(ta, ia)
        self.assertEqual(data["job"]["kind"], "publish_content")
        self.assertEqual(data["item"]["status"], "approved")
        self.publish(tb, ib)
        item = self.wait_status(ta, ia, "published")
        self.assertIsNotNone(item["published_at"])
        hosted = item["publications"]["hosted"]
        self.assertEqual(hosted["status"], "published")
        self.assertEqual(hosted["url"], f"https://{a['domain']}/posts/espresso-basics")
        self.wait_status(tb, ib, "published")

        # A second publish of a published item is a conflict; another tenant's item a 404.
        self.publish(ta, ia, expect=409)
        self.publish(tb, ia, expect=404)

        s, h, body = self.blog_until(a["domain"], "/posts/espresso-basics",
                                     lambda s, b: s == 200)
        page = body.decode()
        self.assertIn("default-src 'none'", h["content-security-policy"])
        self.assertIn("<title>Espresso &lt;basics&gt;</title>", page)
        self.assertIn("<strong>world</strong>", page)
        self.assertNotIn("<script>", page)
        self.assertIn("&lt;script&gt;", page)
        self.assertNotIn("<img src=x", page)
        self.assertNotIn("javascript:", page)
        self.assertIn(f'<link rel="canonical" href="https://{a["domain"]}/posts/espresso-basics">',
                      page)
        self.assertIn('<meta property="og:title" content="Espresso &lt;basics&gt;">', page)
        self.assertIn('name="description" content="About Espresso &lt;basics&gt; &amp; more '
                      '&lt;b&gt;"', page)
        self.assertIn(f'<meta property="og:image" content="https://{a["domain"]}/images/{ia}/'
                      'hero.png">', page)
        self.assertIn(f"Blog &lt;", page)  # the tenant's name, escaped

        # Host normalisation: case, port and trailing dot name the same site.
        self.assertEqual(self.blog(a["domain"].upper() + ".:8080", "/posts/espresso-basics")[0],
                         200)
        # Each domain sees only its own posts.
        self.assertEqual(self.blog(b["domain"], "/posts/espresso-basics")[0], 404)
        self.assertEqual(self.blog(a["domain"], "/posts/tea-time")[0], 404)
        s, _, index_b = self.blog_until(b["domain"], "/", lambda s, b: b"tea-time" in b)
        self.assertNotIn(b"espresso-basics", index_b)
        # Images: only the hero of a published post of this tenant.
        self.assertEqual(self.blog(b["domain"], f"/images/{ia}/hero.png")[0], 404)
        self.assertEqual(self.blog(a["domain"], f"/images/{ib}/hero.png")[0], 404)
        self.assertEqual(self.blog(a["domain"], "/images/../secrets")[0], 404)
        # Unknown hosts: blog paths are 404, the API still answers.
        self.assertEqual(self.blog("unknown.example", "/posts/espresso-basics")[0], 404)
        self.assertEqual(self.blog("unknown.example", "/health")[0], 200)
        # Only GET and HEAD on a blog.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/", body=b"", headers={"Host": a["domain"]})
        self.assertEqual(conn.getresponse().status, 405)
        conn.close()

        # Feed, sitemap, robots.
        s, h, feed = self.blog_until(a["domain"], "/feed.xml", lambda s, b: b"espresso" in b)
        self.assertIn("rss+xml", h["content-type"])
        channel = ET.fromstring(feed).find("channel")
        items = channel.findall("item")
        self.assertEqual([i.findtext("title") for i in items], ["Espresso <basics>"])
        self.assertEqual(items[0].findtext("link"),
                         f"https://{a['domain']}/posts/espresso-basics")
        self.assertTrue(items[0].findtext("pubDate").endswith("GMT"))
        s, _, smap = self.blog(a["domain"], "/sitemap.xml")
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        locs = [e.text for e in ET.fromstring(smap).findall("s:url/s:loc", ns)]
        self.assertIn(f"https://{a['domain']}/posts/espresso-basics", locs)
        self.assertNotIn(f"https://{b['domain']}/posts/tea-time", locs)
        s, _, robots = self.blog(a["domain"], "/robots.txt")
        self.assertEqual(s, 200)
        self.assertIn(f"Sitemap: https://{a['domain']}/sitemap.xml", robots.decode())

        # Unpublish: off the blog (the cached page is dropped), back to approved.
        status, _, item = self.server.request("POST", f"/v1/content/{ia}/unpublish", token=ta)
        self.assertEqual(status, 200, item)
        self.assertEqual(item["status"], "approved")
        self.assertIsNone(item["published_at"])
        self.assertEqual(item["publications"]["hosted"]["status"], "unpublished")
        self.blog_until(a["domain"], "/posts/espresso-basics", lambda s, b: s == 404)
        status, _, _ = self.server.request("POST", f"/v1/content/{ia}/unpublish", token=ta)
        self.assertEqual(status, 409)

    def test_scheduled_publish_runs_once(self):
        a, ta = self.tenant(f"s-{secrets.token_hex(3)}.example")
        ia = self.approved_item(a, ta, "Later", "later", "Soon.")
        at = (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=3)).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ")
        data = self.publish(ta, ia, {"publish_at": at})
        self.assertEqual(data["item"]["status"], "scheduled")
        job_id = data["job"]["id"]
        self.assertEqual(self.item(ta, ia)["status"], "scheduled")
        self.assertEqual(self.blog(a["domain"], "/posts/later")[0], 404)
        # A scheduled item cannot be published again.
        self.publish(ta, ia, expect=409)
        item = self.wait_status(ta, ia, "published", timeout=30)
        published = _dt.datetime.fromisoformat(item["published_at"].replace("Z", "+00:00"))
        self.assertGreaterEqual(published, _dt.datetime.fromisoformat(at.replace("Z", "+00:00")))
        rows = psql(self.db, "SELECT count(*) FROM autoblog_core.jobs WHERE kind = "
                             f"'publish_content' AND payload ->> 'content_id' = '{ia}'")
        self.assertEqual(rows.strip(), "1")
        status, _, job = self.server.request("GET", f"/v1/jobs/{job_id}", token=ta)
        self.assertEqual(job["state"], "succeeded")
        self.assertTrue(job["result"]["published"])
        self.blog_until(a["domain"], "/posts/later", lambda s, b: s == 200)

    def test_page_views_are_counted_and_ranked(self):
        a, ta = self.tenant(f"v-{secrets.token_hex(3)}.example")
        popular = self.approved_item(a, ta, "Popular", "popular", "Read me.")
        quiet = self.approved_item(a, ta, "Quiet", "quiet", "Or me.")
        for item_id in (popular, quiet):
            self.publish(ta, item_id)
            self.wait_status(ta, item_id, "published")
        self.blog_until(a["domain"], "/posts/popular", lambda s, b: s == 200)  # 1 view
        self.blog_until(a["domain"], "/posts/quiet", lambda s, b: s == 200)    # 1 view
        for _ in range(4):  # from the page cache: still views
            self.assertEqual(self.blog(a["domain"], "/posts/popular")[0], 200)
        # Not views: the index, a missing post, another host.
        self.blog(a["domain"], "/")
        self.assertEqual(self.blog(a["domain"], "/posts/nope")[0], 404)

        def ranking():
            status, _, top = self.server.request("GET", "/v1/performance/top", token=ta)
            self.assertEqual(status, 200, top)
            got = [(i["content_id"], i["total"]) for i in top["items"]]
            return got if got == [(popular, 5), (quiet, 1)] else None
        wait_until(ranking, 10)
        # Recorded as ordinary performance records of the item, summed per day like any metric.
        status, _, series = self.server.request(
            "GET", f"/v1/content/{popular}/performance?bucket=day", token=ta)
        self.assertEqual(status, 200, series)
        self.assertEqual(sum(b["metrics"].get("views", 0) for b in series["series"]), 5)

    def test_unpublish_scheduled_cancels_and_refusals(self):
        a, ta = self.tenant(f"u-{secrets.token_hex(3)}.example")
        ia = self.approved_item(a, ta, "Never", "never", "No.")
        data = self.publish(ta, ia, {"publish_at": "2999-01-01T00:00:00Z"})
        status, _, item = self.server.request("POST", f"/v1/content/{ia}/unpublish", token=ta)
        self.assertEqual(status, 200, item)
        self.assertEqual(item["status"], "approved")
        status, _, job = self.server.request("GET", f"/v1/jobs/{data['job']['id']}", token=ta)
        self.assertEqual(job["state"], "cancelled")
        # Not approved: 409; bad publish_at: 400; bad id: 400.
        status, _, fresh = self.server.request(
            "POST", "/v1/content", {"inspiration_data": {"x": 1}}, token=ta)
        self.publish(ta, fresh["id"], expect=409)
        self.publish(ta, ia, {"publish_at": "tomorrow"}, expect=400)
        self.publish(ta, ia, {"publish_at": "2030-02-30T00:00:00Z"}, expect=400)
        self.publish(ta, "not-a-uuid", expect=400)


if __name__ == "__main__":
    unittest.main()
