"""E2E: publishing to a webhook (docs/publishing.md, "Webhooks").

A local receiver (webhook_receiver.py) verifies every request against the Standard Webhooks
specification with the brand's secret:
- publish: one signed post.published message with the article, body_html and the hosted URL;
  the item's `publications["webhook:1"]` records it; a receiver failure (500, or a hang past
  AUTOBLOG_PUBLISH_TIMEOUT_MS) is retried with the same webhook-id, so a receiver that
  deduplicates by id sees the message once;
- rotation: with previous_secret set both signatures are sent and each verifies;
- 410 Gone fails the delivery and disables the endpoint in the brand; the next publication skips
  it; saving the brand without "disabled" enables it again;
- unpublish sends post.unpublished under its own id;
- secrets are write-only: GET shows "***", a PUT of "***" keeps the secret for the same endpoint
  and is refused for another; bad target configs are 400 and change nothing.
"""
import json
import unittest

from harness import psql, wait_until
from publishing_case import PublishingCase
from webhook_receiver import Receiver, new_secret, verify


class PublishWebhookTest(PublishingCase):
    @classmethod
    def setUpClass(cls):
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.close)
        cls.start_publishing_server("webhook")

    # ---- helpers

    def signed_ok(self, record, secret):
        self.assertIsNone(verify(secret, record["headers"], record["raw"]),
                          f"signature check failed: {record['headers']}")

    # ---- tests

    def test_publish_signs_records_and_unpublish_notifies(self):
        t, token, domain = self.tenant()
        secret = new_secret()
        url = self.receiver.endpoint("main", [secret])
        self.put_brand(token, [{"type": "hosted"}, {"type": "webhook", "url": url,
                                                    "secret": secret}])
        item_id, slug = self.approved_item(t, token, "Milk Steaming Basics")
        self.publish(token, item_id)
        entry = self.wait_entry(token, item_id, "webhook:1", "published")
        got = self.receiver.requests("main")
        self.assertEqual(len(got), 1, got)
        rec = got[0]
        self.signed_ok(rec, secret)
        self.assertEqual(entry["remote_id"], rec["headers"]["webhook-id"])
        self.assertEqual(rec["headers"]["content-type"], "application/json")
        body = rec["body"]
        self.assertEqual(body["type"], "post.published")
        self.assertEqual(body["tenant_id"], t["id"])
        self.assertEqual(body["content_id"], item_id)
        post = body["post"]
        self.assertEqual(post["title"], "Milk Steaming Basics")
        self.assertEqual(post["slug"], slug)
        self.assertEqual(post["url"], f"https://{domain}/posts/{slug}")
        self.assertIn("<h2>Milk Steaming Basics</h2>", post["body_html"])
        self.assertIn("<em>text</em>", post["body_html"])
        self.assertIsNone(post["image_url"])
        item = self.item(token, item_id)
        self.assertEqual(item["status"], "published")
        self.assertIsNotNone(item["published_at"])
        self.assertEqual(item["publications"]["hosted"]["status"], "published")

        status, _, _ = self.req("POST", f"/v1/content/{item_id}/unpublish", token=token)
        self.assertEqual(status, 200)
        self.wait_entry(token, item_id, "webhook:1", "unpublished")
        got = self.receiver.requests("main")
        self.assertEqual(len(got), 2, got)
        self.signed_ok(got[1], secret)
        self.assertEqual(got[1]["body"]["type"], "post.unpublished")
        self.assertNotEqual(got[1]["headers"]["webhook-id"], rec["headers"]["webhook-id"])
        self.assertEqual(self.item(token, item_id)["status"], "approved")

    def test_failures_are_retried_with_the_same_id(self):
        t, token, _ = self.tenant()
        secret = new_secret()
        # A 500, then a hang past the 1.5 s call timeout, then 200.
        url = self.receiver.endpoint("flaky", [secret], [500, ("stall", 3.0)])
        self.put_brand(token, [{"type": "webhook", "url": url, "secret": secret}])
        item_id, _ = self.approved_item(t, token, "Dialing In")
        self.publish(token, item_id)
        # Only a webhook: the item is published while the delivery is on its way.
        entry = self.wait_entry(token, item_id, "webhook:0", "published")
        self.assertEqual(entry["attempts"], 2, entry)
        got = self.receiver.requests("flaky")
        self.assertEqual(len(got), 3, [r["answered"] for r in got])
        ids = {r["headers"]["webhook-id"] for r in got}
        self.assertEqual(len(ids), 1, "every retry of one message carries the same webhook-id")
        for r in got:
            self.signed_ok(r, secret)
        item = self.item(token, item_id)
        self.assertEqual(item["status"], "published")
        self.assertIsNotNone(item["published_at"])

    def test_unpublish_before_delivery_sends_nothing(self):
        t, token, _ = self.tenant()
        secret = new_secret()
        url = self.receiver.endpoint("down", [secret], [503] * 1000)
        self.put_brand(token, [{"type": "webhook", "url": url, "secret": secret}])
        item_id, _ = self.approved_item(t, token, "Never Delivered")
        self.publish(token, item_id)
        self.assertTrue(wait_until(lambda: len(self.receiver.requests("down")) >= 2, 20, 0.05),
                        "the delivery should be retried")
        entry = self.item(token, item_id)["publications"]["webhook:0"]
        self.assertEqual(entry["status"], "pending", entry)
        self.assertIsNone(self.item(token, item_id)["published_at"],
                          "nothing succeeded yet: no published_at")
        status, _, body = self.req("POST", f"/v1/content/{item_id}/unpublish", token=token)
        self.assertEqual(status, 200, body)
        entry = self.wait_entry(token, item_id, "webhook:0", "unpublished")
        self.assertIn("not been delivered", entry["note"])
        types = {r["body"]["type"] for r in self.receiver.requests("down")}
        self.assertEqual(types, {"post.published"}, "no post.unpublished for a post never delivered")
        settled = len(self.receiver.requests("down"))
        # The cancelled delivery does not come back.
        _, _, jobs = self.req("GET", "/v1/jobs?kind=deliver_publication", token=token)
        self.assertTrue(all(j["state"] in ("succeeded", "cancelled", "failed") for j in jobs["items"]),
                        jobs)
        self.assertEqual(len(self.receiver.requests("down")), settled)

    def test_a_slug_sites_would_rewrite_is_refused(self):
        t, token, _ = self.tenant()
        self.put_brand(token, [{"type": "hosted"}])
        item_id, _ = self.approved_item(t, token, "Accents")
        for slug in ("Café Guide", "two--hyphens", "-edge", "a" * 191):
            with self.subTest(slug=slug):
                psql(self.db, f"UPDATE \"{t['schema_name']}\".content_pipelines SET "
                              f"generated_content = jsonb_set(generated_content, '{{slug}}', "
                              f"to_jsonb('{slug}'::text)) WHERE id = '{item_id}'")
                status, _, body = self.req("POST", f"/v1/content/{item_id}/publish", {},
                                           token=token)
                self.assertEqual(status, 409, body)
                self.assertIn("slug must be lower-case", body["error"]["message"])
        self.assertEqual(self.item(token, item_id)["status"], "approved")

    def test_rotation_sends_both_signatures(self):
        t, token, _ = self.tenant()
        old, new = new_secret(), new_secret()
        url = self.receiver.endpoint("rotating", [])
        self.put_brand(token, [{"type": "webhook", "url": url, "secret": new,
                                "previous_secret": old}])
        item_id, _ = self.approved_item(t, token, "Rotation Day")
        self.publish(token, item_id)
        self.wait_entry(token, item_id, "webhook:0", "published")
        rec = self.receiver.requests("rotating")[0]
        sigs = rec["headers"]["webhook-signature"].split(" ")
        self.assertEqual(len(sigs), 2, sigs)
        self.signed_ok(rec, old)
        self.signed_ok(rec, new)
        self.assertIsNotNone(verify(new_secret(), rec["headers"], rec["raw"]),
                             "a third secret must not verify")

    def test_gone_disables_the_endpoint(self):
        t, token, _ = self.tenant()
        secret = new_secret()
        url = self.receiver.endpoint("gone", [secret], [410])
        self.put_brand(token, [{"type": "hosted"}, {"type": "webhook", "url": url,
                                                    "secret": secret}])
        first, _ = self.approved_item(t, token, "First Post")
        self.publish(token, first)
        entry = self.wait_entry(token, first, "webhook:1", "failed")
        self.assertIn("410", entry["error"])
        self.assertEqual(self.item(token, first)["status"], "published", "hosted still has it")
        brand = wait_until(lambda: (lambda b: b if "disabled" in
                                    b["publishing_config"]["targets"][1] else None)(
            self.req("GET", "/v1/brand", token=token)[2]), 70, 0.2)
        self.assertTrue(brand, "the brand must show the endpoint disabled")
        self.assertEqual(brand["publishing_config"]["targets"][1]["secret"], "***")

        second, _ = self.approved_item(t, token, "Second Post")
        self.publish(token, second)
        entry = self.wait_entry(token, second, "webhook:1", "disabled")
        self.assertEqual(len(self.receiver.requests("gone")), 1, "a disabled endpoint is skipped")

        # Saving the brand without "disabled" (secret sent back as ***) enables it again.
        targets = brand["publishing_config"]["targets"]
        del targets[1]["disabled"]
        self.put_brand(token, targets)
        third, _ = self.approved_item(t, token, "Third Post")
        self.publish(token, third)
        self.wait_entry(token, third, "webhook:1", "published")
        got = self.receiver.requests("gone")
        self.assertEqual(len(got), 2)
        self.signed_ok(got[1], secret)

    def test_secrets_are_write_only_and_configs_checked(self):
        t, token, _ = self.tenant()
        secret = new_secret()
        url = self.receiver.endpoint("kept", [secret])
        stored = self.put_brand(token, [{"type": "webhook", "url": url, "secret": secret}])
        self.assertEqual(stored["publishing_config"]["targets"][0]["secret"], "***")
        _, _, got = self.req("GET", "/v1/brand", token=token)
        self.assertEqual(got["publishing_config"]["targets"][0],
                         {"type": "webhook", "url": url, "secret": "***"})
        self.assertNotIn(secret, json.dumps(got))
        # A round trip keeps the secret: deliveries still verify with it.
        self.put_brand(token, got["publishing_config"]["targets"])
        item_id, _ = self.approved_item(t, token, "Kept Secret")
        self.publish(token, item_id)
        self.wait_entry(token, item_id, "webhook:0", "published")
        self.signed_ok(self.receiver.requests("kept")[0], secret)
        logs = self.server.read_output()
        self.assertNotIn(secret, logs)
        self.assertNotIn(secret.removeprefix("whsec_"), logs)

        bad = [
            ([{"type": "webhook", "url": url + "-other", "secret": "***"}], "secret"),
            ([{"type": "webhook", "url": url, "secret": "not-a-secret"}], "whsec_"),
            ([{"type": "webhook", "url": url, "secret": "whsec_c2hvcnQ="}], "whsec_"),
            ([{"type": "webhook", "url": url}], "secret"),
            ([{"type": "webhook", "url": "ftp://x.example/", "secret": secret}], "url"),
            ([{"type": "webhook", "url": "https://u:p@x.example/", "secret": secret}], "url"),
            ([{"type": "webhook", "url": "https://x.example/#f", "secret": secret}], "url"),
            ([{"type": "carrier-pigeon"}], "type"),
            ([{"url": url}], "type"),
            ([{"type": "hosted"}] * 11, "at most"),
        ]
        for targets, word in bad:
            with self.subTest(targets=targets):
                status, _, body = self.req("PUT", "/v1/brand", {
                    "voice_tone": {}, "topics": [], "publishing_config": {"targets": targets}},
                    token=token)
                self.assertEqual(status, 400, body)
                self.assertEqual(body["error"]["code"], "invalid_request", body)
                self.assertIn(word, body["error"]["message"])
        _, _, after = self.req("GET", "/v1/brand", token=token)
        self.assertEqual(after["publishing_config"], got["publishing_config"],
                         "refused PUTs change nothing")
        # What is stored is still the real secret (the database, not a response).
        raw = psql(self.db, f"SELECT publishing_config->'targets'->0->>'secret' FROM "
                            f"\"{t['schema_name']}\".brand_configs")
        self.assertEqual(raw.strip(), secret)


if __name__ == "__main__":
    unittest.main()
