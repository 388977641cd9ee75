"""E2E: reviewing generated content (docs/api.md "Review").

- POST /v1/content/{id}/approve: generated → approved; a 409 naming the status from every other
  status; 404 for another tenant's or a missing item, 400 for a bad id;
- PATCH generated_content: quality_scores recomputed for the brand's seo_strategy (its keywords
  are the keyphrases), cleared by null; the edit recorded in `generation` only when the article
  changes; a slug another item uses is a 409 that changes nothing; refused while generating;
- PUT /v1/brand refuses a seo_strategy that scoring could not use (400 naming the key);
- regenerating a generated or failed item spends a daily unit.
"""
import secrets
import unittest

from harness import (CONTENT_KEYS, RFC3339_UTC_RE, E2ETestCase, Server, drop_database,
                     fresh_database, psql, random_uuid, wait_until)

BRAND = {"voice_tone": {"tone": "warm"}, "topics": ["home espresso"],
         "seo_strategy": {"keywords": ["espresso machine"]}}

SCORE_KEYS = {"word_count", "sentence_count", "flesch_reading_ease", "flesch_kincaid_grade",
              "keyword_density", "heading_count", "max_words_per_section",
              "longest_paragraph_words", "title_length", "meta_description_length", "overall",
              "passes", "issues"}


def article(body, slug=None, **extra):
    a = {"title": "Choosing an espresso machine",
         "meta_description": "How to choose a home espresso machine.",
         "outline": ["Why", "How"], "body_markdown": body, "keywords": ["grinder"]}
    if slug is not None:
        a["slug"] = slug
    a.update(extra)
    return a


# 40 plain words, 4 sentences, the brand keyphrase twice and the article's own keyword once.
BODY_A = ("An espresso machine is a big step for a home kitchen and worth some thought. "
          "Pick an espresso machine that fits your counter and your budget well. "
          "A good grinder matters as much as the machine you buy today. "
          "Clean it often and it will last for many years.")
# The same text with more words and no brand keyphrase at all.
BODY_B = BODY_A.replace("An espresso machine", "A coffee maker").replace(
    "an espresso machine", "a coffee maker") + " Enjoy every cup you make with care and patience."


class ReviewCase(E2ETestCase):
    """One database and one server without job workers: a generation request leaves the item
    generating with its job queued, which the tests use to reach that status."""

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("review")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def tenant(self, brand=BRAND):
        tenant, token = self.server.new_tenant_with_token("starter")
        if brand is not None:
            self.assertStatus(self.req("PUT", "/v1/brand", brand, token=token), 200)
        return tenant, token

    def create(self, token):
        body = {"inspiration_data": {"idea": secrets.token_hex(4)}}
        return self.assertStatus(self.req("POST", "/v1/content", body, token=token), 201)

    def get(self, token, item_id):
        item = self.assertStatus(self.req("GET", f"/v1/content/{item_id}", token=token), 200)
        self.assertEqual(set(item), CONTENT_KEYS)
        return item

    def patch(self, token, item_id, body, expect=200):
        resp = self.req("PATCH", f"/v1/content/{item_id}", body, token=token)
        return self.assertStatus(resp, expect, f"PATCH {body!r}")

    def generating(self, token):
        """An item in `generating`: its generation is queued and no worker runs it."""
        item = self.create(token)
        self.assertStatus(self.req("POST", f"/v1/content/{item['id']}/generate", token=token),
                          202)
        self.assertEqual(self.get(token, item["id"])["status"], "generating")
        return item["id"]

    def generated(self, token, content=None):
        """An item in `generated` (generating, then moved on by PATCH as a client may)."""
        item_id = self.generating(token)
        self.patch(token, item_id, {"status": "generated"})
        if content is not None:
            self.patch(token, item_id, {"generated_content": content})
        return item_id

    def approve(self, token, item_id):
        return self.req("POST", f"/v1/content/{item_id}/approve", token=token)

    def set_column(self, tenant, item_id, assignment):
        """Writes a column directly, for states the API cannot reach (scheduled, published) or
        data an older version may have stored."""
        psql(self.db, f'UPDATE "{tenant["schema_name"]}".content_pipelines SET {assignment} '
                      f"WHERE id = '{item_id}'")


class ApproveTest(ReviewCase):
    def test_approve_a_generated_item(self):
        _, token = self.tenant()
        item_id = self.generated(token, article(BODY_A))
        before = self.get(token, item_id)
        approved = self.assertStatus(self.approve(token, item_id), 200)
        self.assertEqual(set(approved), CONTENT_KEYS)
        self.assertEqual(approved["status"], "approved")
        self.assertGreater(approved["updated_at"], before["updated_at"])
        for k in ("generated_content", "quality_scores", "generation", "content_brief"):
            self.assertEqual(approved[k], before[k], k)
        self.assertEqual(self.get(token, item_id), approved)
        # approving again: it is approved now, not generated
        status, _, body = self.approve(token, item_id)
        self.assertError((status, {}, body), 409, "conflict", "approve twice")
        self.assertIn("approved", body["error"]["message"])

    def test_approve_from_every_other_status_is_a_conflict_naming_it(self):
        tenant, token = self.tenant()
        inspiration = self.create(token)["id"]
        briefed = self.create(token)["id"]
        self.patch(token, briefed, {"content_brief": {"angle": "x"}, "status": "briefed"})
        generating = self.generating(token)
        failed = self.generating(token)
        self.patch(token, failed, {"status": "failed"})
        archived = self.create(token)["id"]
        self.patch(token, archived, {"status": "archived"})
        approved = self.generated(token)
        self.assertStatus(self.approve(token, approved), 200)
        scheduled = self.generated(token)
        self.set_column(tenant, scheduled, "status = 'scheduled'")
        published = self.generated(token)
        self.set_column(tenant, published, "status = 'published', published_at = now()")
        cases = {"inspiration": inspiration, "briefed": briefed, "generating": generating,
                 "failed": failed, "archived": archived, "approved": approved,
                 "scheduled": scheduled, "published": published}
        for status, item_id in cases.items():
            before = self.get(token, item_id)
            self.assertEqual(before["status"], status)
            resp = self.approve(token, item_id)
            self.assertError(resp, 409, "conflict", status)
            self.assertEqual(resp[2]["error"]["message"],
                             f"only a generated item can be approved; this item is {status}")
            self.assertEqual(self.get(token, item_id), before, f"{status}: nothing changed")

    def test_approve_another_tenants_or_a_missing_item_is_not_found(self):
        _, token = self.tenant()
        _, other_token = self.tenant()
        item_id = self.generated(token)
        self.assertError(self.approve(other_token, item_id), 404, "not_found", "other tenant")
        self.assertEqual(self.get(token, item_id)["status"], "generated")
        self.assertError(self.approve(token, random_uuid()), 404, "not_found", "missing")
        self.assertError(self.approve(token, "not-a-uuid"), 400, "invalid_request", "bad id")
        self.assertError(self.req("POST", f"/v1/content/{item_id}/approve"), 401,
                         "unauthorized", "no token")
        self.assertEqual(self.get(token, item_id)["status"], "generated")


class EditTest(ReviewCase):
    def test_edit_is_rescored_with_the_brand_keyphrases(self):
        _, token = self.tenant()
        item_id = self.generated(token)
        a = self.patch(token, item_id, {"generated_content": article(BODY_A)})
        scores = a["quality_scores"]
        self.assertEqual(set(scores), SCORE_KEYS, scores)
        self.assertEqual(scores["word_count"], len(BODY_A.split()))
        self.assertEqual(scores["sentence_count"], 4)
        # the brand's keyphrase, not the article's own keyword
        self.assertEqual(list(scores["keyword_density"]), ["espresso machine"])
        self.assertAlmostEqual(scores["keyword_density"]["espresso machine"],
                               round(2 * 100 / scores["word_count"], 2), places=2)
        self.assertEqual(scores["title_length"], len("Choosing an espresso machine"))
        # 40 words fall short of 300: a readable issue says so, and the article does not pass
        self.assertFalse(scores["passes"])
        self.assertTrue(any("300" in i for i in scores["issues"]), scores["issues"])

        b = self.patch(token, item_id, {"generated_content": article(BODY_B)})
        scores_b = b["quality_scores"]
        self.assertEqual(scores_b["word_count"], len(BODY_B.split()))
        self.assertNotEqual(scores_b["word_count"], scores["word_count"])
        self.assertEqual(scores_b["keyword_density"], {"espresso machine": 0})
        self.assertEqual(self.get(token, item_id)["quality_scores"], scores_b)

        # null clears the article and its scores
        cleared = self.patch(token, item_id, {"generated_content": None})
        self.assertIsNone(cleared["generated_content"])
        self.assertIsNone(cleared["quality_scores"])

    def test_without_brand_keyphrases_the_articles_keywords_and_default_thresholds_count(self):
        _, token = self.tenant(brand=None)
        item_id = self.generated(token)
        scores = self.patch(token, item_id,
                            {"generated_content": article(BODY_A)})["quality_scores"]
        self.assertEqual(list(scores["keyword_density"]), ["grinder"])
        # a brand's threshold changes the verdict of the next edit
        self.assertStatus(self.req("PUT", "/v1/brand",
                                   {"voice_tone": {}, "topics": [],
                                    "seo_strategy": {"min_overall": 0}}, token=token), 200)
        rescored = self.patch(token, item_id,
                              {"generated_content": article(BODY_A)})["quality_scores"]
        self.assertTrue(rescored["passes"], rescored)
        self.assertFalse(scores["passes"], scores)

    def test_the_edit_is_recorded_only_when_the_article_changes(self):
        tenant, token = self.tenant()
        item_id = self.generated(token)
        # what a generation wrote stays; the edit is added to it
        self.set_column(tenant, item_id,
                        "generation = '{\"provider\": \"template\", \"model\": \"template\", "
                        "\"human_edited\": false}'")
        edited = self.patch(token, item_id, {"generated_content": article(BODY_A)})
        gen = edited["generation"]
        self.assertEqual(set(gen), {"provider", "model", "human_edited", "edited_at"}, gen)
        self.assertEqual((gen["provider"], gen["model"]), ("template", "template"))
        self.assertIs(gen["human_edited"], True)
        self.assertRegex(gen["edited_at"], RFC3339_UTC_RE)
        self.assertEqual(gen["edited_at"], edited["updated_at"])

        # the same article again (keys in another order): not an edit
        same = dict(reversed(list(article(BODY_A).items())))
        again = self.patch(token, item_id, {"generated_content": same})
        self.assertEqual(again["generation"], gen)
        self.assertGreater(again["updated_at"], edited["updated_at"])
        # a brief or status change is not an edit of the article either
        other = self.patch(token, item_id, {"content_brief": {"angle": "new"}})
        self.assertEqual(other["generation"], gen)
        self.assertEqual(other["quality_scores"], edited["quality_scores"])

        changed = self.patch(token, item_id, {"generated_content": article(BODY_B)})
        self.assertGreater(changed["generation"]["edited_at"], gen["edited_at"])
        self.assertEqual(changed["generation"]["provider"], "template")

        # an item no generation wrote gets a record of its own
        fresh = self.create(token)["id"]
        first = self.patch(token, fresh, {"generated_content": article(BODY_A)})
        self.assertEqual(set(first["generation"]), {"human_edited", "edited_at"})

    def test_a_slug_another_item_uses_is_a_conflict_and_changes_nothing(self):
        _, token = self.tenant()
        _, other_token = self.tenant()
        first = self.generated(token, article(BODY_A, slug="choosing-an-espresso-machine"))
        second = self.generated(token, article(BODY_B, slug="coffee-makers"))
        before = self.get(token, second)
        resp = self.req("PATCH", f"/v1/content/{second}",
                        {"generated_content": article(BODY_A, slug="choosing-an-espresso-machine"),
                         "status": "approved"}, token=token)
        self.assertError(resp, 409, "conflict", "slug taken")
        self.assertEqual(resp[2]["error"]["message"],
                         "slug 'choosing-an-espresso-machine' is already used by another item")
        self.assertEqual(self.get(token, second), before, "nothing changed")
        # the item that holds the slug may keep it; another tenant may use it too
        self.patch(token, first, {"generated_content": article(BODY_B,
                                                               slug="choosing-an-espresso-machine")})
        elsewhere = self.generated(other_token)
        self.patch(other_token, elsewhere,
                   {"generated_content": article(BODY_A, slug="choosing-an-espresso-machine")})
        # once freed, the slug can be taken
        self.patch(token, first, {"generated_content": None})
        self.patch(token, second,
                   {"generated_content": article(BODY_A, slug="choosing-an-espresso-machine")})

    def test_editing_while_generating_is_a_conflict(self):
        _, token = self.tenant()
        item_id = self.generating(token)
        before = self.get(token, item_id)
        resp = self.req("PATCH", f"/v1/content/{item_id}",
                        {"generated_content": article(BODY_A)}, token=token)
        self.assertError(resp, 409, "conflict", "edit while generating")
        self.assertIn("being generated", resp[2]["error"]["message"])
        self.assertEqual(self.get(token, item_id), before)

    def test_generated_content_must_be_an_object_or_null(self):
        _, token = self.tenant()
        item_id = self.generated(token, article(BODY_A))
        before = self.get(token, item_id)
        for bad in ("text", 5, True, ["a"]):
            self.assertError(self.req("PATCH", f"/v1/content/{item_id}",
                                      {"generated_content": bad}, token=token),
                             400, "invalid_request", repr(bad))
        self.assertEqual(self.get(token, item_id), before)

    def test_a_stored_bad_threshold_is_a_clear_400_at_the_edit(self):
        """A brand stored before thresholds were checked: the edit names the key, no 500."""
        tenant, token = self.tenant()
        item_id = self.generated(token, article(BODY_A))
        before = self.get(token, item_id)
        psql(self.db, f'UPDATE "{tenant["schema_name"]}".brand_configs '
                      "SET seo_strategy = '{\"min_overall\": 500}'")
        resp = self.req("PATCH", f"/v1/content/{item_id}",
                        {"generated_content": article(BODY_B)}, token=token)
        self.assertError(resp, 400, "invalid_request", "stored bad threshold")
        self.assertIn("min_overall", resp[2]["error"]["message"])
        self.assertEqual(self.get(token, item_id), before)


class BrandThresholdsTest(ReviewCase):
    def test_put_brand_refuses_unusable_seo_strategy(self):
        _, token = self.tenant()
        stored = self.assertStatus(self.req("GET", "/v1/brand", token=token), 200)
        cases = [
            ({"min_overall": 150}, "min_overall"),
            ({"min_overall": "high"}, "min_overall"),
            ({"min_words": 0}, "min_words"),
            ({"max_title_length": -5}, "max_title_length"),
            ({"min_keyword_density": 5, "max_keyword_density": 3}, "min_keyword_density"),
            ({"keywords": "espresso machine"}, "keywords"),
            ({"keywords": ["espresso", 3]}, "keywords"),
        ]
        for seo, key in cases:
            body = dict(BRAND, seo_strategy=seo)
            resp = self.req("PUT", "/v1/brand", body, token=token)
            self.assertError(resp, 400, "invalid_request", repr(seo))
            self.assertIn(f"seo_strategy.{key}", resp[2]["error"]["message"], seo)
        self.assertEqual(self.assertStatus(self.req("GET", "/v1/brand", token=token), 200),
                         stored, "nothing stored")
        # usable ones are stored as sent, unknown keys kept
        good = {"keywords": ["espresso machine"], "min_overall": 80, "max_keyword_density": 4,
                "target_density": 1.5}
        body = self.assertStatus(self.req("PUT", "/v1/brand", dict(BRAND, seo_strategy=good),
                                          token=token), 200)
        self.assertEqual(body["seo_strategy"], good)
        for empty in (None, {}):
            self.assertStatus(self.req("PUT", "/v1/brand", dict(BRAND, seo_strategy=empty),
                                       token=token), 200)


class RegenerateCase(ReviewCase):
    def usage_used(self, token, server=None):
        u = self.assertStatus((server or self.server).request("GET", "/v1/usage", token=token),
                              200)
        return u["content_today"]["used"]

    def wait_status(self, server, token, item_id, status):
        last = {}

        def done():
            last["item"] = server.request("GET", f"/v1/content/{item_id}", token=token)[2]
            return last["item"]["status"] == status

        self.assertTrue(wait_until(done, 30, 0.1), f"item not {status}: {last.get('item')!r}")
        return last["item"]


class RegenerateGeneratedTest(RegenerateCase):
    """A second server with one job worker runs the jobs (a database of its own: no other
    test's queued job runs)."""

    def test_regenerate_a_generated_item_spends_a_unit(self):
        _, token = self.tenant()
        item_id = self.create(token)["id"]
        with Server(self.db, workers=1, admin_token=self.server.admin_token,
                    jwt_secret=self.server.jwt_secret) as node:
            self.assertStatus(node.request("POST", f"/v1/content/{item_id}/generate",
                                           token=token), 202)
            first = self.wait_status(node, token, item_id, "generated")
            self.assertIsInstance(first["generated_content"], dict)
            self.assertEqual(self.usage_used(token, node), 1)

            self.assertStatus(node.request("POST", f"/v1/content/{item_id}/generate",
                                           token=token), 202)
            self.assertEqual(self.usage_used(token, node), 2, "the regenerate spent a unit")
            again = self.wait_status(node, token, item_id, "generated")
            self.assertIsInstance(again["generated_content"], dict)
            self.assertEqual(self.usage_used(token, node), 2, "a finished job keeps its unit")
            # an approved item is not regenerated
            self.assertStatus(node.request("POST", f"/v1/content/{item_id}/approve",
                                           token=token), 200)
            status, _, body = node.request("POST", f"/v1/content/{item_id}/generate",
                                           token=token)
            self.assertEqual(status, 409, body)
            self.assertEqual(self.usage_used(token, node), 2)


class RegenerateFailedTest(RegenerateCase):
    def test_regenerate_a_failed_item_spends_a_unit(self):
        _, token = self.tenant()
        item_id = self.generating(token)
        self.patch(token, item_id, {"status": "failed"})
        self.assertEqual(self.usage_used(token), 1)
        self.assertStatus(self.req("POST", f"/v1/content/{item_id}/generate", token=token), 202)
        self.assertEqual(self.get(token, item_id)["status"], "generating")
        self.assertEqual(self.usage_used(token), 2)


if __name__ == "__main__":
    unittest.main()
