"""E2E: the content engine when the provider misbehaves (fake_openai.py scripts it).

Every case ends in a retry that succeeds or in a clear `failed` reason, and never leaves the
item `generating`, keeps the day's unit of a failed generation, or takes the server down:
- 429: a short Retry-After is waited in place; a long one snoozes the job (no attempt spent);
- 500s, a timeout and a hung connection are transient: retried (inside the call, then as job
  attempts), `dead` when they never recover;
- an answer that cannot be used (not JSON, a field missing, an empty body, not the OpenAI
  shape) gets ONE repair request naming the problem, then success or `failed` at once;
- a 400 (the request itself refused) fails at once.

Items here carry a brief, so a generation is one chat call (the article) and one image call.
"""
import unittest

from fake_openai import MISSING, article, content, delay, hang, raw_body, status
from harness import ContentEngineHelpers, E2ETestCase, psql

# Small numbers so that retries take seconds: 2 HTTP attempts per call, 1 s total per call,
# 429 waits up to 1.5 s in place, job retries after 100-400 ms.
ENV = {"AUTOBLOG_AI_TIMEOUT_MS": "2000", "AUTOBLOG_AI_CONNECT_TIMEOUT_MS": "1000",
       "AUTOBLOG_AI_MAX_ATTEMPTS": "2", "AUTOBLOG_AI_MAX_RETRY_AFTER_MS": "1500",
       "AUTOBLOG_JOB_RETRY_BASE_MS": "100", "AUTOBLOG_JOB_RETRY_MAX_MS": "400",
       "AUTOBLOG_JOB_POLL_MS": "100"}

# (scripted bad answer, words the failure and the repair request must name)
BAD_ANSWERS = {
    "not JSON": (lambda: content("Sure! Here is your article: # Espresso"), "not json"),
    "title missing": (lambda: article(title=MISSING), "'title' is missing"),
    "empty body": (lambda: article(body_markdown=""), "'body_markdown' is empty"),
    "not the OpenAI shape": (lambda: raw_body({"result": "ok", "text": "hello"}), "choices"),
}


class EngineFailuresTest(ContentEngineHelpers, E2ETestCase):

    @classmethod
    def setUpClass(cls):
        cls.start_fake_ai_and_database("engine_failures")
        cls.server = cls.start_server(cls.db, workers=1, env={**cls.ai.env(), **ENV})

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()  # also: it exits cleanly after all of this

    def setUp(self):
        self.ai.reset()
        self.tenant, self.token = self.engine_tenant("growth")

    def generate(self, timeout=30):
        item_id = self.new_item(self.token, brief={"angle": "first steps"})
        job, item = self.generate_and_wait(self.token, item_id, timeout,
                                           context=self.ai.summary)
        return job, item

    def claims(self, job_id):
        return int(psql(self.db, f"SELECT claims FROM autoblog_core.jobs WHERE id = '{job_id}'"))

    def assert_succeeded(self, job, item, attempts):
        why = f"{job!r}\n{item.get('generation')!r}\n{self.ai.summary()}"
        self.assertEqual(job["state"], "succeeded", why)
        self.assertEqual(job["attempts"], attempts, why)
        self.assertEqual(item["status"], "generated", why)
        hero = (item["visual_assets"] or {}).get("hero") or {}
        self.assertEqual(hero.get("content_type"), "image/png", item["visual_assets"])
        self.assertEqual(self.usage_now(self.token)["content_today"]["used"], 1)

    def assert_failed_cleanly(self, job, item, state, reason):
        """The job ended `state`, the item `failed` with `reason` in its generation.error, the
        unit given back, the API key in no message, and the server still answers."""
        why = f"{job!r}\n{item.get('generation')!r}\n{self.ai.summary()}"
        self.assertEqual(job["state"], state, why)
        self.assertEqual(item["status"], "failed", why)
        error = (item.get("generation") or {}).get("error") or ""
        self.assertIn(reason.lower(), error.lower(), f"generation.error names the cause\n{why}")
        self.assertIn(reason.lower(), (job["last_error"] or "").lower(), why)
        for text in (error, job["last_error"]):
            self.assertNotIn(self.ai.api_key, text, "the API key leaked into a message")
        self.assertIsNone(item["generated_content"], "nothing half-written is kept")
        self.assertEqual(self.usage_now(self.token)["content_today"]["used"], 0,
                         "the day's unit is given back")
        status, _, _ = self.req("GET", "/health")
        self.assertEqual(status, 200, "the server still answers")
        self.assertTrue(self.server.alive())

    # ---- 429

    def test_429_with_short_retry_after_is_waited_in_place(self):
        self.ai.push("chat", status(429, headers={"Retry-After": "1"}))
        job, item = self.generate()
        self.assert_succeeded(job, item, attempts=1)
        chat = self.ai.requests("chat")
        self.assertEqual(len(chat), 2, self.ai.summary())
        self.assertGreaterEqual(chat[1].received - chat[0].received, 0.95,
                                "Retry-After: 1 was honoured\n" + self.ai.summary())
        self.assertEqual(self.claims(job["id"]), 1, "no snooze for a wait this short")

    def test_429_with_long_retry_after_snoozes_the_job(self):
        self.ai.push("chat", status(429, headers={"Retry-After": "3"}))
        job, item = self.generate()
        self.assert_succeeded(job, item, attempts=1)  # the snooze spent no attempt
        chat = self.ai.requests("chat")
        self.assertEqual(len(chat), 2, "the long wait was not retried in place\n"
                         + self.ai.summary())
        self.assertGreaterEqual(chat[1].received - chat[0].received, 2.9,
                                "nothing was sent before Retry-After\n" + self.ai.summary())
        self.assertGreaterEqual(self.claims(job["id"]), 2, "the job went back to the queue")

    # ---- transient failures

    def test_500s_are_retried_inside_the_call_then_as_job_attempts(self):
        # attempt 1: two 500s (AUTOBLOG_AI_MAX_ATTEMPTS=2); attempt 2: a 500, then the answer
        self.ai.push("chat", status(500), status(500), status(500))
        job, item = self.generate()
        self.assert_succeeded(job, item, attempts=2)
        self.assertEqual(len(self.ai.requests("chat")), 4, self.ai.summary())

    def test_500s_forever_end_dead(self):
        self.ai.push("chat", *[status(500)] * 6)  # 3 job attempts x 2 HTTP attempts
        job, item = self.generate()
        self.assert_failed_cleanly(job, item, "dead", "500")
        self.assertEqual(job["attempts"], 3, job)
        self.assertEqual(len(self.ai.requests("chat")), 6, self.ai.summary())
        self.assertEqual(self.ai.requests("images"), [], "no image for a failed article")
        self.assertEqual(self.ai.pending("chat"), 0)

    def test_slow_answer_times_out_and_is_retried(self):
        self.ai.push("chat", delay(4))  # longer than AUTOBLOG_AI_TIMEOUT_MS
        job, item = self.generate()
        self.assert_succeeded(job, item, attempts=2)
        self.assertEqual(len(self.ai.requests("chat")), 2, self.ai.summary())

    def test_hung_connection_is_closed_and_retried(self):
        self.ai.push("chat", hang())
        job, item = self.generate()
        self.assert_succeeded(job, item, attempts=2)
        chat = self.ai.requests("chat")
        self.assertEqual(len(chat), 2, self.ai.summary())
        self.assertLess(chat[1].received - chat[0].received, 5,
                        "the hung call ended at its deadline")

    def test_image_provider_failing_forever_ends_dead(self):
        self.ai.push("images", *[status(503)] * 6)
        job, item = self.generate()
        self.assert_failed_cleanly(job, item, "dead", "503")
        self.assertEqual(len(self.ai.requests("images")), 6, self.ai.summary())
        # Each of the 3 attempts wrote the article again before its image failed: all billed.
        articles = [r for r in self.ai.requests("chat") if r.is_article_request()]
        tokens, _ = self.ai_usage(self.token)
        self.assertEqual(tokens["used"],
                         len(articles) * (self.ai.prompt_tokens + self.ai.completion_tokens),
                         self.ai.summary())

    # ---- answers that cannot be used

    def test_unusable_answer_is_repaired_once(self):
        for name, (bad, problem) in BAD_ANSWERS.items():
            with self.subTest(answer=name):
                self.ai.reset()
                self.tenant, self.token = self.engine_tenant("growth")  # its own day's units
                self.ai.push("chat", bad())
                job, item = self.generate()
                self.assert_succeeded(job, item, attempts=1)
                chat = self.ai.requests("chat")
                self.assertEqual(len(chat), 2, "one repair request\n" + self.ai.summary())
                repair = chat[1].body["messages"][-1]
                self.assertEqual(repair["role"], "user", repair)
                self.assertIn("could not be used", repair["content"], repair)
                self.assertIn(problem, repair["content"].lower(),
                              "the repair request names the problem")
                self.assertEqual(chat[1].body["model"], chat[0].body["model"])
                self.assertIs(item["generation"]["repaired"], True, item["generation"])

    def test_unusable_answer_twice_fails_at_once(self):
        for name, (bad, problem) in BAD_ANSWERS.items():
            with self.subTest(answer=name):
                self.ai.reset()
                self.tenant, self.token = self.engine_tenant("growth")  # its own day's units
                self.ai.push("chat", bad(), bad())
                job, item = self.generate()
                self.assert_failed_cleanly(job, item, "failed", problem)
                self.assertEqual(job["attempts"], 1, "no job retry for an unusable answer")
                self.assertEqual(len(self.ai.requests("chat")), 2, self.ai.summary())
                self.assertEqual(self.ai.requests("images"), [])
                # The two calls were billed, so they count: the usage each answer reported (a
                # reply that is not in the OpenAI shape reports none).
                per_call = (0 if name == "not the OpenAI shape"
                            else self.ai.prompt_tokens + self.ai.completion_tokens)
                tokens, images = self.ai_usage(self.token)
                self.assertEqual(tokens["used"], 2 * per_call, tokens)
                self.assertEqual(images["used"], 0, images)

    def test_400_fails_at_once(self):
        self.ai.push("chat", status(400, body={"error": {
            "message": "The model `gpt-5-ultra` does not exist", "type": "invalid_request_error"}}))
        job, item = self.generate()
        self.assert_failed_cleanly(job, item, "failed", "does not exist")
        self.assertEqual(job["attempts"], 1, job)
        self.assertEqual(len(self.ai.requests("chat")), 1, "a 400 is not retried")

    def test_item_can_be_generated_again_after_a_failure(self):
        self.ai.push("chat", status(400))
        item_id = self.new_item(self.token, brief={"angle": "again"})
        job, item = self.generate_and_wait(self.token, item_id)
        self.assertEqual((job["state"], item["status"]), ("failed", "failed"), job)
        job, item = self.generate_and_wait(self.token, item_id, context=self.ai.summary)
        self.assert_succeeded(job, item, attempts=1)
        self.assertNotIn("error", item["generation"], "the old failure is not kept")


if __name__ == "__main__":
    unittest.main()
