"""E2E: publishing to WordPress and Ghost (docs/publishing.md, "WordPress" and "Ghost").

Local fakes (fake_wordpress.py, fake_ghost.py) check the credentials on every request (Basic
auth with the application password; a Ghost Admin token verified with the key):
- publish: the post is created once on each site and the item's publications["wordpress:1"]
  and ["ghost:2"] record the remote ids and URLs (the image upload and featured_media /
  feature_image are covered by tests/integration/{wordpress,ghost}_target_test.cpp);
- a timeout after the site created the post (the fake stores it, then holds the answer past
  AUTOBLOG_PUBLISH_TIMEOUT_MS): the retry finds the post by its marker and the site holds
  exactly one post;
- refused credentials fail the delivery with a message naming the user, without the secret;
- unpublish removes the remote posts;
- GET /v1/brand shows the application password and the admin key as "***".
"""
import json
import unittest

from fake_ghost import FakeGhost
from fake_wordpress import FakeWordPress
from harness import ContentEngineHelpers, wait_until
from publishing_case import PublishingCase

WP_PASSWORD = "abcd efgh ijkl mnop qrst uvwx"


class PublishRemoteTest(ContentEngineHelpers, PublishingCase):
    @classmethod
    def setUpClass(cls):
        cls.wp = FakeWordPress(username="bot", password=WP_PASSWORD).__enter__()
        cls.addClassCleanup(cls.wp.__exit__, None, None, None)
        cls.ghost = FakeGhost().__enter__()
        cls.addClassCleanup(cls.ghost.__exit__, None, None, None)
        cls.start_publishing_server("remote")

    # ---- helpers

    def targets(self, wp_password=WP_PASSWORD):
        return [{"type": "hosted"},
                {"type": "wordpress", "site": self.wp.site, "username": "bot",
                 "application_password": wp_password},
                {"type": "ghost", "admin_url": self.ghost.admin_url,
                 "admin_key": self.ghost.admin_key}]

    def wp_posts(self, slug):
        return [p for p in self.wp.state()["posts"] if p["slug"] == slug]

    def ghost_posts(self, slug):
        return [p for p in self.ghost.state()["posts"] if p["slug"].startswith(slug)]

    # ---- tests

    def test_publish_to_both_then_unpublish(self):
        t, token, _ = self.tenant()
        self.put_brand(token, self.targets())
        item_id, slug = self.approved_item(t, token, "Tamping Pressure")
        self.publish(token, item_id)
        wp_entry = self.wait_entry(token, item_id, "wordpress:1", "published")
        ghost_entry = self.wait_entry(token, item_id, "ghost:2", "published")

        posts = self.wp_posts(slug)
        self.assertEqual(len(posts), 1, posts)
        self.assertEqual(str(posts[0]["id"]), wp_entry["remote_id"])
        self.assertEqual(posts[0]["status"], "publish")
        self.assertIn("<h2>Tamping Pressure</h2>", posts[0]["content"])
        self.assertTrue(all(r["auth_ok"] for r in self.wp.state()["requests"]))

        gposts = self.ghost_posts(slug)
        self.assertEqual(len(gposts), 1, gposts)
        self.assertEqual(gposts[0]["id"], ghost_entry["remote_id"])
        self.assertEqual(gposts[0]["url"], ghost_entry["url"])
        self.assertEqual(gposts[0]["status"], "published")
        self.assertTrue(all(r["token_problem"] is None for r in self.ghost.state()["requests"]))

        status, _, brand = self.req("GET", "/v1/brand", token=token)
        self.assertEqual(status, 200, brand)
        listed = brand["publishing_config"]["targets"]
        self.assertEqual(listed[1]["application_password"], "***")
        self.assertEqual(listed[2]["admin_key"], "***")
        self.assertNotIn(WP_PASSWORD, json.dumps(brand))
        self.assertNotIn(self.ghost.secret_hex, json.dumps(brand))

        status, _, body = self.req("POST", f"/v1/content/{item_id}/unpublish", token=token)
        self.assertEqual(status, 200, body)
        self.wait_entry(token, item_id, "wordpress:1", "unpublished")
        self.wait_entry(token, item_id, "ghost:2", "unpublished")
        self.assertEqual(self.wp_posts(slug)[0]["status"], "trash")
        self.assertEqual(self.ghost_posts(slug), [])

    def test_generated_article_goes_with_its_image(self):
        # The offline template provider writes the article and an SVG hero image.
        _, token, _ = self.tenant()
        self.put_brand(token, self.targets())
        item_id = self.new_item(token, idea="Milk pitchers", brief={"topic": "Milk pitchers"})
        job = self.wait_job(token, self.start_generation(token, item_id)["id"])
        self.assertEqual(job["state"], "succeeded", job)
        status, _, body = self.req("POST", f"/v1/content/{item_id}/approve", token=token)
        self.assertEqual(status, 200, body)
        item = self.item(token, item_id)
        slug = item["generated_content"]["slug"]
        hero = item["visual_assets"]["hero"]
        _, _, image = self.req("GET", f"/v1/files/{hero['key']}", token=token)
        self.publish(token, item_id)
        wp_entry = self.wait_entry(token, item_id, "wordpress:1", "published")
        self.wait_entry(token, item_id, "ghost:2", "published")

        wp = self.wp.state()
        media = [m for m in wp["media"] if m["filename"].startswith(slug)]
        self.assertEqual(len(media), 1, wp["media"])
        self.assertEqual(media[0]["content_type"], "image/svg+xml")
        self.assertEqual(media[0]["size"], len(image))
        post = self.wp_posts(slug)[0]
        self.assertEqual(str(post["id"]), wp_entry["remote_id"])
        self.assertEqual(post["featured_media"], media[0]["id"])
        uploads = [r for r in wp["requests"] if r["path"].endswith("/media")
                   and r["method"] == "POST"]
        creates = [r for r in wp["requests"] if r["path"].endswith("/posts")
                   and r["method"] == "POST"]
        self.assertLess(uploads[-1]["at"], creates[-1]["at"], "the image goes up first")

        gpost = self.ghost_posts(slug)[0]
        uploaded = [i["url"] for i in self.ghost.state()["images"]]
        self.assertIn(gpost["feature_image"], uploaded)

    def test_republish_waits_for_the_removal_then_updates_the_same_post(self):
        t, token, _ = self.tenant()
        self.put_brand(token, self.targets()[:2])  # hosted and WordPress
        item_id, slug = self.approved_item(t, token, "Second Thoughts")
        self.publish(token, item_id)
        first = self.wait_entry(token, item_id, "wordpress:1", "published")
        # WordPress refuses deletes: the removal retries, then gives up.
        self.addCleanup(self.wp.clear_failures)
        for _ in range(1000):
            self.wp.fail_next("DELETE /posts/<id>", 503)
        status, _, body = self.req("POST", f"/v1/content/{item_id}/unpublish", token=token)
        self.assertEqual(status, 200, body)
        # While the removal is on its way, publishing again would race it: refused.
        status, _, body = self.req("POST", f"/v1/content/{item_id}/publish", {}, token=token)
        self.assertEqual(status, 409, body)
        self.assertIn("wordpress:1", body["error"]["message"])
        failed = self.wait_entry(token, item_id, "wordpress:1", "failed", timeout=60)
        self.assertEqual(failed["remote_id"], first["remote_id"])
        # The post is still live there: publishing again updates it, no second post.
        self.publish(token, item_id)
        again = self.wait_entry(token, item_id, "wordpress:1", "published")
        self.assertEqual(again["remote_id"], first["remote_id"])
        self.assertNotEqual(again["marker"], first["marker"])
        posts = self.wp_posts(slug)
        self.assertEqual(len(posts), 1, posts)
        self.assertEqual(posts[0]["status"], "publish")
        self.assertEqual(self.item(token, item_id)["status"], "published")

    def test_a_moved_target_never_gets_a_recorded_id(self):
        # Published to one site, then the brand points the same target at another: the removal
        # leaves the first site alone (it says so) and nothing is deleted on the second.
        t, token, _ = self.tenant()
        self.put_brand(token, self.targets()[:2])
        item_id, slug = self.approved_item(t, token, "Moving House")
        self.publish(token, item_id)
        self.wait_entry(token, item_id, "wordpress:1", "published")
        moved = self.targets()[:2]
        moved[1]["site"] = self.wp.site + "/elsewhere"
        self.put_brand(token, moved)
        deletes_before = sum(r["method"] == "DELETE" for r in self.wp.state()["requests"])
        status, _, body = self.req("POST", f"/v1/content/{item_id}/unpublish", token=token)
        self.assertEqual(status, 200, body)
        entry = self.wait_entry(token, item_id, "wordpress:1", "unpublished")
        self.assertIn("another address", entry["note"])
        self.assertEqual(sum(r["method"] == "DELETE" for r in self.wp.state()["requests"]),
                         deletes_before)
        self.assertEqual(self.wp_posts(slug)[0]["status"], "publish")

    def test_timeout_after_create_makes_one_post(self):
        t, token, _ = self.tenant()
        self.put_brand(token, self.targets())
        item_id, slug = self.approved_item(t, token, "Dialing In")
        self.wp.stall_next_create(seconds=4)     # past AUTOBLOG_PUBLISH_TIMEOUT_MS (1.5 s)
        self.ghost.stall_next_create(seconds=4)
        self.publish(token, item_id)
        wp_entry = self.wait_entry(token, item_id, "wordpress:1", "published")
        ghost_entry = self.wait_entry(token, item_id, "ghost:2", "published")
        self.assertEqual(len(self.wp_posts(slug)), 1, self.wp_posts(slug))
        self.assertEqual(str(self.wp_posts(slug)[0]["id"]), wp_entry["remote_id"])
        self.assertEqual(len(self.ghost_posts(slug)), 1, self.ghost_posts(slug))
        self.assertEqual(self.ghost_posts(slug)[0]["id"], ghost_entry["remote_id"])

    def test_refused_password_fails_without_the_secret(self):
        t, token, _ = self.tenant()
        self.put_brand(token, self.targets(wp_password="wrong pass word here"))
        item_id, slug = self.approved_item(t, token, "Crema Myths")
        self.publish(token, item_id)
        entry = self.wait_entry(token, item_id, "wordpress:1", "failed")
        self.assertIn("application password for user bot", entry["error"])
        self.assertNotIn("wrong pass word", json.dumps(self.item(token, item_id)))
        self.assertEqual(self.wp_posts(slug), [])
        self.wait_entry(token, item_id, "ghost:2", "published")

    def test_bad_target_settings_are_400(self):
        _, token, _ = self.tenant()
        bad_wp = self.targets()
        bad_wp[1]["site"] = "https://user:pw@blog.example"
        body = self.put_brand(token, bad_wp, expect=400)
        self.assertIn("targets[1].site", json.dumps(body))
        bad_ghost = self.targets()
        bad_ghost[2]["admin_key"] = "not-a-key"
        body = self.put_brand(token, bad_ghost, expect=400)
        self.assertIn("targets[2].admin_key", json.dumps(body))
        self.assertNotIn("not-a-key", json.dumps(body))


if __name__ == "__main__":
    unittest.main()
