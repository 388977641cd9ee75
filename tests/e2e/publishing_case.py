"""Shared set-up of the remote publishing tests (webhooks, WordPress, Ghost): a server that may
reach local fakes and retries deliveries quickly, tenants with a domain, a brand with given
targets, approved items with an article, and waiting for a target's entry in `publications`."""
import json
import secrets

from harness import E2ETestCase, drop_database, fresh_database, psql, wait_until


class PublishingCase(E2ETestCase):
    @classmethod
    def start_publishing_server(cls, name: str):
        cls.db = fresh_database(name)
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, workers=2, env={
            "AUTOBLOG_EGRESS_ALLOW_PRIVATE": "1",
            "AUTOBLOG_PUBLISH_TIMEOUT_MS": "1500",
            "AUTOBLOG_JOB_RETRY_BASE_MS": "100",
            "AUTOBLOG_JOB_RETRY_MAX_MS": "200"})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def tenant(self):
        """(tenant, token, domain)."""
        domain = f"blog-{secrets.token_hex(4)}.example"
        t = self.server.create_tenant(name=f"Publisher {secrets.token_hex(3)}", domain=domain)
        return t, self.server.tenant_token(t["id"]), domain

    def put_brand(self, token, targets, expect=200):
        status, _, body = self.req("PUT", "/v1/brand", {
            "voice_tone": {"tone": "warm"}, "topics": ["espresso"],
            "publishing_config": {"targets": targets}}, token=token)
        self.assertEqual(status, expect, body)
        return body

    def approved_item(self, tenant, token, title):
        """An approved item with an article (set directly: generation is tested elsewhere);
        returns (id, slug)."""
        status, _, item = self.req("POST", "/v1/content", {"inspiration_data": {"idea": title}},
                                   token=token)
        self.assertEqual(status, 201, item)
        slug = title.lower().replace(" ", "-") + "-" + secrets.token_hex(3)
        art = json.dumps({"title": title, "slug": slug, "meta_description": "About " + title,
                          "outline": [], "keywords": [],
                          "body_markdown": f"## {title}\n\nSome *text*."}).replace("'", "''")
        psql(self.db, f"UPDATE \"{tenant['schema_name']}\".content_pipelines SET "
                      f"status = 'approved', generated_content = '{art}'::jsonb "
                      f"WHERE id = '{item['id']}'")
        return item["id"], slug

    def item(self, token, item_id):
        status, _, item = self.req("GET", f"/v1/content/{item_id}", token=token)
        self.assertEqual(status, 200, item)
        return item

    def publish(self, token, item_id):
        status, _, body = self.req("POST", f"/v1/content/{item_id}/publish", {}, token=token)
        self.assertEqual(status, 202, body)

    def wait_entry(self, token, item_id, key, status, timeout=30):
        """The item's publications[key] once its status is `status` (fails after `timeout`)."""
        def entry():
            e = (self.item(token, item_id).get("publications") or {}).get(key) or {}
            return e if e.get("status") == status else None
        got = wait_until(entry, timeout, 0.1)
        self.assertTrue(got, f"publications[{key}] never became {status}: "
                             f"{self.item(token, item_id).get('publications')}")
        return got
