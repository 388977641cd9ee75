"""E2E: the content engine against a local OpenAI-compatible server (fake_openai.py), and the
offline `template` pipeline with nothing configured.

- what is asked of the provider: the tier's model (starter gpt-4o-mini, growth gpt-4o, the
  operator's per-tenant override), a JSON object, a prompt carrying the brand's voice, topics,
  keywords and the brief; the image in the tier's quality, as base64;
- what is kept: the brief written first for an inspiration-only item, the article, its quality
  scores, the hero image in the tenant's storage (readable through /v1/files by that tenant
  only), the generation record, the day's tokens and images in /v1/usage;
- one slug per tenant, auto-approval when the brand enables it and the score passes, the
  tenant's daily token budget stopping a generation before any provider call.

The provider misbehaving is test_content_engine_failures.py; the shared provider budget across
worker processes is test_content_engine_budget.py.
"""
import unittest

from fake_openai import PNG_BYTES, article, default_article, default_brief
from harness import (BRAND, GENERATED_CONTENT_KEYS, GENERATION_KEYS, HERO_KEYS, QUALITY_KEYS,
                     ContentEngineHelpers, E2ETestCase, drop_database, fresh_database,
                     parse_ts)

FAST_ENV = {"AUTOBLOG_AI_TIMEOUT_MS": "5000", "AUTOBLOG_JOB_POLL_MS": "100",
            "AUTOBLOG_JOB_RETRY_BASE_MS": "100", "AUTOBLOG_JOB_RETRY_MAX_MS": "500"}


class EngineCase(ContentEngineHelpers, E2ETestCase):
    """One fake provider, one database and one `autoblog serve --workers 1` per class: jobs run
    one at a time, so each test sees only its own provider calls."""
    DB_NAME = "engine"

    @classmethod
    def setUpClass(cls):
        cls.start_fake_ai_and_database(cls.DB_NAME)
        cls.server = cls.start_server(cls.db, workers=1, env={**cls.ai.env(), **FAST_ENV})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def setUp(self):
        self.ai.reset()
        self.ai.slug = None

    def run_ok(self, token, item_id):
        job, item = self.generate_and_wait(token, item_id, context=self.ai.summary)
        self.assertEqual(job["state"], "succeeded",
                         f"{job!r}\n{item.get('generation')!r}\n{self.ai.summary()}")
        self.assertEqual(item["status"], "generated", item)
        return job, item


class ProviderRequestsTest(EngineCase):

    def test_starter_generation_end_to_end(self):
        tenant, token = self.engine_tenant("starter")
        _, other_token = self.engine_tenant("starter")
        item_id = self.new_item(token)
        job, item = self.run_ok(token, item_id)

        # ---- what the provider was asked: brief, article, image, in that order
        calls = self.ai.requests()
        self.assertEqual([(r.endpoint, r.is_article_request()) for r in calls],
                         [("chat", False), ("chat", True), ("images", False)],
                         self.ai.summary())
        brief_req, article_req, image_req = calls
        for r in calls:
            self.assertEqual(r.headers.get("authorization"), f"Bearer {self.ai.api_key}")
            self.assertIn("application/json", r.headers.get("content-type", ""))
        for r in (brief_req, article_req):
            self.assertEqual(r.path, "/v1/chat/completions")
            self.assertEqual(r.body["model"], "gpt-4o-mini", "starter's text model")
            self.assertEqual(r.body["response_format"], {"type": "json_object"})
            self.assertEqual([m["role"] for m in r.body["messages"]], ["system", "user"])
        prompt = article_req.prompt_text()
        for fact, why in (("warm and practical", "voice_tone.tone"),
                          ("home espresso", "a topic"), ("coffee gear", "a topic"),
                          ("espresso machine", "an SEO keyword"),
                          ("home barista", "an SEO keyword"),
                          (default_brief([])["angle"], "the brief written first")):
            self.assertIn(fact, prompt, f"the article prompt should carry {why}")
        for fact, why in (("how to pick a first espresso machine", "the item's inspiration"),
                          ("warm and practical", "voice_tone.tone"), ("coffee gear", "a topic"),
                          ("espresso machine", "an SEO keyword")):
            self.assertIn(fact, brief_req.prompt_text(), f"the brief prompt should carry {why}")

        self.assertEqual(image_req.path, "/v1/images/generations")
        self.assertEqual(image_req.body.get("quality"), "standard", "starter's image quality")
        self.assertEqual(image_req.body.get("response_format"), "b64_json")
        self.assertEqual(image_req.body.get("n"), 1)
        self.assertEqual(image_req.body.get("model"), "dall-e-3")
        image_prompt = str(image_req.body.get("prompt", ""))
        self.assertIn("warm earth tones", image_prompt, "the brand's visual style")
        self.assertIn(default_article(self.ai.keywords, self.ai.topic)["title"], image_prompt,
                      "the image illustrates the article it was made for")

        # ---- what was kept
        expected = default_article(self.ai.keywords, self.ai.topic)
        brief = item["content_brief"]
        self.assertEqual(brief, default_brief(self.ai.keywords), "the brief the model wrote")
        gc = item["generated_content"]
        self.assertEqual(set(gc), GENERATED_CONTENT_KEYS, gc)
        self.assertEqual(gc, expected, "the model's article, stored as answered")

        qs = item["quality_scores"]
        self.assertIsInstance(qs, dict, item)
        self.assertLessEqual(QUALITY_KEYS, set(qs), qs)
        self.assertGreaterEqual(qs["word_count"], 300, qs)
        self.assertEqual(qs["heading_count"], len(expected["outline"]), qs)
        self.assertEqual(qs["title_length"], len(expected["title"]), qs)
        self.assertEqual(qs["meta_description_length"], len(expected["meta_description"]), qs)
        self.assertIsInstance(qs["passes"], bool, qs)
        self.assertTrue(0 <= qs["overall"] <= 100, qs)
        self.assertIsInstance(qs["issues"], list, qs)
        self.assertEqual(set(qs["keyword_density"]), {"espresso machine", "home barista"}, qs)

        hero = (item["visual_assets"] or {}).get("hero")
        self.assertIsInstance(hero, dict, item["visual_assets"])
        self.assertEqual(set(hero), HERO_KEYS, hero)
        key = f"assets/{item_id}/hero.png"
        self.assertEqual(hero, {"key": key, "url": f"/v1/files/{key}",
                                "content_type": "image/png", "size": len(PNG_BYTES),
                                "provider": "openai", "model": "dall-e-3",
                                "quality": "standard"})

        g = item["generation"]
        self.assertIsInstance(g, dict, item)
        self.assertEqual(set(g) - {"error"}, GENERATION_KEYS, g)
        self.assertEqual((g["provider"], g["model"]), ("openai", "gpt-4o-mini"), g)
        self.assertEqual(g["prompt_tokens"], 2 * self.ai.prompt_tokens, "brief + article")
        self.assertEqual(g["completion_tokens"], 2 * self.ai.completion_tokens, g)
        self.assertEqual(g["total_tokens"], g["prompt_tokens"] + g["completion_tokens"], g)
        self.assertIsInstance(g["duration_ms"], int, g)
        self.assertGreaterEqual(g["duration_ms"], 0, g)
        self.assertIs(g["brief_written"], True, g)
        self.assertIs(g["repaired"], False, g)
        self.assertIs(g["human_edited"], False, g)
        self.assertIsInstance(g["image"], dict, g)
        self.assertLessEqual(parse_ts(job["started_at"]), parse_ts(g["generated_at"]))
        self.assertLessEqual(parse_ts(g["generated_at"]), parse_ts(job["finished_at"]))

        self.assertEqual(job["attempts"], 1, job)
        self.assertEqual(job["result"].get("content_id"), item_id, job)
        self.assertEqual(job["result"].get("provider"), "openai", job)

        # ---- the image, through the files API: this tenant only
        status, headers, data = self.req("GET", hero["url"], token=token)
        self.assertEqual(status, 200, data)
        self.assertEqual(headers.get("content-type"), "image/png")
        self.assertEqual(data, PNG_BYTES, "the stored bytes are the provider's image")
        self.assertError(self.req("GET", hero["url"], token=other_token), 404, "not_found",
                         "another tenant reads the image")

        # ---- usage: tokens as the provider reported them, one image, one unit
        self.assertEqual(self.usage_now(token)["content_today"]["used"], 1)
        self.assertEqual(self.ai_usage(token), (
            {"used": 2 * (self.ai.prompt_tokens + self.ai.completion_tokens), "limit": None},
            {"used": 1}))
        self.assertEqual(self.ai_usage(other_token), ({"used": 0, "limit": None}, {"used": 0}),
                         "another tenant's usage is its own")

    def test_growth_tier_with_a_brief(self):
        _, token = self.engine_tenant("growth")
        brief = {"angle": "the one-year cost of owning a machine",
                 "audience": "budget-minded beginners",
                 "outline": ["Purchase price", "Running costs", "Verdict"],
                 "keywords": ["espresso machine"]}
        item_id = self.new_item(token, brief=brief)
        _, item = self.run_ok(token, item_id)

        calls = self.ai.requests()
        self.assertEqual([(r.endpoint, r.is_article_request()) for r in calls],
                         [("chat", True), ("images", False)],
                         "an item with a brief needs no brief call\n" + self.ai.summary())
        self.assertEqual(calls[0].body["model"], "gpt-4o", "growth's text model")
        self.assertIn(brief["angle"], calls[0].prompt_text(), "the article follows the brief")
        self.assertIn(brief["audience"], calls[0].prompt_text())
        self.assertEqual(calls[1].body.get("quality"), "hd", "growth's image quality")

        self.assertEqual(item["content_brief"], brief, "the tenant's brief is left as it was")
        g = item["generation"]
        self.assertIs(g["brief_written"], False, g)
        self.assertEqual(g["model"], "gpt-4o", g)
        self.assertEqual(g["prompt_tokens"], self.ai.prompt_tokens, "one chat call")
        self.assertEqual(item["visual_assets"]["hero"]["quality"], "hd", item["visual_assets"])
        self.assertEqual(self.ai_usage(token)[0]["used"],
                         self.ai.prompt_tokens + self.ai.completion_tokens)

    def test_operator_overrides_model_and_image_quality(self):
        tenant, token = self.engine_tenant(
            "starter", limits={"ai_model": "local-llama-3.1", "image_quality": "hd"})
        _, item = self.run_ok(token, self.new_item(token, brief={"angle": "first steps"}))
        chat, image = self.ai.requests("chat"), self.ai.requests("images")
        self.assertEqual([r.body["model"] for r in chat], ["local-llama-3.1"])
        self.assertEqual([r.body.get("quality") for r in image], ["hd"])
        self.assertEqual(item["generation"]["model"], "local-llama-3.1", item["generation"])
        # back to the tier's defaults once the overrides are removed
        self.set_tenant_limits(tenant["id"], {"ai_model": None, "image_quality": None})
        self.ai.reset()
        self.run_ok(token, self.new_item(token, brief={"angle": "first steps"}))
        self.assertEqual([r.body["model"] for r in self.ai.requests("chat")], ["gpt-4o-mini"])
        self.assertEqual([r.body.get("quality") for r in self.ai.requests("images")],
                         ["standard"])


class ArticleOutcomeTest(EngineCase):
    DB_NAME = "engine_outcome"

    def test_slug_is_unique_per_tenant(self):
        self.ai.slug = "same-slug"
        _, token = self.engine_tenant("growth")
        _, other = self.engine_tenant("growth")
        slugs = []
        for _ in range(3):
            _, item = self.run_ok(token, self.new_item(token, brief={"angle": "a"}))
            slugs.append(item["generated_content"]["slug"])
        self.assertEqual(slugs, ["same-slug", "same-slug-2", "same-slug-3"])
        _, item = self.run_ok(other, self.new_item(other, brief={"angle": "a"}))
        self.assertEqual(item["generated_content"]["slug"], "same-slug",
                         "another tenant's slugs do not count")

    def test_auto_approve_when_the_score_passes(self):
        brand = {**BRAND, "publishing_config": {"auto_approve": True},
                 "seo_strategy": {"keywords": BRAND["seo_strategy"]["keywords"],
                                  "min_overall": 0}}
        _, token = self.engine_tenant("starter", brand=brand)
        job, item = self.generate_and_wait(token, self.new_item(token, brief={"angle": "a"}))
        self.assertEqual(job["state"], "succeeded", job)
        self.assertIs(item["quality_scores"]["passes"], True, item["quality_scores"])
        self.assertEqual(item["status"], "approved", "auto_approve and a passing score")

        # a score that cannot pass leaves the item for review
        strict = {**brand, "seo_strategy": {"keywords": BRAND["seo_strategy"]["keywords"],
                                            "min_overall": 100}}
        _, token2 = self.engine_tenant("starter", brand=strict)
        self.ai.push("chat", article(body_markdown="Too short to pass."))
        job, item = self.generate_and_wait(token2, self.new_item(token2, brief={"angle": "a"}))
        self.assertEqual(job["state"], "succeeded", job)
        self.assertIs(item["quality_scores"]["passes"], False, item["quality_scores"])
        self.assertEqual(item["status"], "generated", "a failing score is not approved")

        # without auto_approve a passing article waits for review too
        _, token3 = self.engine_tenant("starter", brand={
            **brand, "publishing_config": {"auto_approve": False}})
        _, item = self.run_ok(token3, self.new_item(token3, brief={"angle": "a"}))
        self.assertIs(item["quality_scores"]["passes"], True)

    def test_daily_token_budget_stops_before_the_provider(self):
        tenant, token = self.engine_tenant("starter", limits={"daily_token_budget": 0})
        item_id = self.new_item(token, brief={"angle": "a"})
        job, item = self.generate_and_wait(token, item_id)
        self.assertEqual(self.ai.requests(), [], "no provider call over budget\n"
                         + self.ai.summary())
        self.assertEqual(job["state"], "failed", job)
        self.assertIn("budget", (job["last_error"] or "").lower(), job)
        self.assertEqual(item["status"], "failed", item)
        self.assertIn("budget", ((item["generation"] or {}).get("error") or "").lower(),
                      item["generation"])
        self.assertEqual(self.usage_now(token)["content_today"]["used"], 0,
                         "the unit is given back")
        self.assertEqual(self.ai_usage(token)[0], {"used": 0, "limit": 0})

        # a budget with room lets one through; once it is spent the next one stops
        self.set_tenant_limits(tenant["id"], {"daily_token_budget": 1000000})
        job, item = self.generate_and_wait(token, item_id)
        self.assertEqual(job["state"], "succeeded", f"{job!r}\n{self.ai.summary()}")
        spent = self.ai.prompt_tokens + self.ai.completion_tokens
        self.assertEqual(self.ai_usage(token)[0], {"used": spent, "limit": 1000000})
        self.set_tenant_limits(tenant["id"], {"daily_token_budget": spent})
        self.ai.reset()
        job, item = self.generate_and_wait(token, self.new_item(token, brief={"angle": "b"}))
        self.assertEqual(self.ai.requests(), [], self.ai.summary())
        self.assertEqual((job["state"], item["status"]), ("failed", "failed"), job)
        self.assertEqual(self.usage_now(token)["content_today"]["used"], 1,
                         "only the successful generation keeps its unit")


class TemplatePipelineTest(ContentEngineHelpers, E2ETestCase):
    """Nothing AI configured (`make run`'s defaults): the offline template provider writes the
    brief, the article and an SVG placeholder, end to end over HTTP."""

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("engine_template")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, workers=1, env={"AUTOBLOG_JOB_POLL_MS": "100"})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def test_inspiration_to_generated_with_nothing_configured(self):
        _, token = self.engine_tenant("starter")
        _, other = self.engine_tenant("starter")
        item_id = self.new_item(token, idea="grinder burrs explained")
        job, item = self.generate_and_wait(token, item_id)
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(item["status"], "generated", item)

        brief = item["content_brief"]
        self.assertIsInstance(brief, dict, item)
        self.assertLessEqual({"angle", "audience", "outline", "keywords"}, set(brief), brief)
        gc = item["generated_content"]
        self.assertLessEqual(GENERATED_CONTENT_KEYS, set(gc), gc)
        self.assertTrue(gc["title"].strip() and gc["body_markdown"].strip(), gc)
        self.assertIsInstance(item["quality_scores"], dict, item)
        self.assertLessEqual(QUALITY_KEYS, set(item["quality_scores"]))

        g = item["generation"]
        self.assertEqual(g["provider"], "template", g)
        self.assertIs(g["brief_written"], True, g)
        self.assertEqual(g["total_tokens"], 0, "the template spends no tokens")

        hero = item["visual_assets"]["hero"]
        self.assertEqual(hero["content_type"], "image/svg+xml", hero)
        self.assertEqual(hero["provider"], "template", hero)
        self.assertTrue(hero["key"].startswith(f"assets/{item_id}/hero."), hero)
        self.assertEqual(hero["url"], f"/v1/files/{hero['key']}", hero)
        status, headers, data = self.req("GET", hero["url"], token=token)
        self.assertEqual(status, 200, data)
        self.assertTrue(headers.get("content-type", "").startswith("image/svg+xml"), headers)
        self.assertIn(b"<svg", data[:400])
        self.assertEqual(len(data), hero["size"], hero)
        self.assertError(self.req("GET", hero["url"], token=other), 404, "not_found")
        self.assertEqual(self.ai_usage(token)[0]["used"], 0)
        self.assertEqual(self.usage_now(token)["content_today"]["used"], 1)


if __name__ == "__main__":
    unittest.main()
