"""E2E: the provider budget is shared by every worker process.

20 generations (items with briefs, template images: one provider call each) run on two
`autoblog worker` processes with AUTOBLOG_AI_REQUESTS_PER_MINUTE=5. From the times the fake
provider received the calls: no 60-second window holds more than 5; all 20 jobs succeed, none
spends a second attempt, and jobs over budget went back to the queue (snoozed) rather than
failing. It takes about four minutes by nature (19 gaps of 12 s).
"""
import sys
import unittest

from harness import ContentEngineHelpers, E2ETestCase, WorkerProcess, psql_rows, wait_until

PER_MINUTE = 5
GENERATIONS = 20
# The fake stamps a call when its request has been read, the budget when it was granted: the
# few milliseconds between the two may differ from call to call.
CLOCK_SLACK_S = 0.25


class ProviderBudgetTest(ContentEngineHelpers, E2ETestCase):

    @classmethod
    def setUpClass(cls):
        cls.start_fake_ai_and_database("engine_budget")
        cls.env = {**cls.ai.env(), "AUTOBLOG_AI_REQUESTS_PER_MINUTE": str(PER_MINUTE),
                   "AUTOBLOG_AI_IMAGE_PROVIDER": "template", "AUTOBLOG_JOB_POLL_MS": "200"}
        # the API node runs no jobs: both worker processes do
        cls.server = cls.start_server(cls.db, workers=0, env=cls.env)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def test_twenty_generations_on_two_workers_keep_five_calls_a_minute(self):
        # two growth tenants (3 concurrent generations each) so both workers hold jobs at once
        tokens = [self.engine_tenant("growth")[1] for _ in range(2)]
        jobs = {}  # job id -> (token, item id)
        for n in range(GENERATIONS):
            token = tokens[n % 2]
            item_id = self.new_item(token, idea=f"idea {n}", brief={"angle": f"angle {n}"})
            jobs[self.start_generation(token, item_id)["id"]] = (token, item_id)

        workers = [WorkerProcess(self.db, 4, env=self.env) for _ in range(2)]
        for w in workers:
            self.addCleanup(w.cleanup)
            w.start()
        self.ai.client_pids = [w.proc.pid for w in workers]

        ids = "', '".join(jobs)

        def finished():
            rows = psql_rows(self.db, "SELECT count(*) FROM autoblog_core.jobs WHERE id IN "
                                      f"('{ids}') AND state NOT IN ('queued', 'running')")
            return int(rows[0][0]) == GENERATIONS

        if not wait_until(finished, 360, 1.0):
            self.fail("not all generations finished\n" + self.ai.summary() + "\n"
                      + "\n".join(w.log() for w in workers))

        # ---- the provider's view: 20 calls, never more than 5 in 60 s
        calls = self.ai.requests()
        self.assertEqual(len(calls), GENERATIONS, self.ai.summary())
        self.assertTrue(all(c.endpoint == "chat" and c.is_article_request() for c in calls),
                        self.ai.summary())
        by_process = {pid: sum(c.client_pid == pid for c in calls) for pid in self.ai.client_pids}
        self.assertTrue(all(by_process.values()),
                        f"both worker processes called the provider: {by_process}")
        self.assertEqual(sum(by_process.values()), GENERATIONS, by_process)
        times = sorted(c.received for c in calls)
        for i in range(len(times) - PER_MINUTE):
            window = times[i + PER_MINUTE] - times[i]
            self.assertGreaterEqual(
                window, 60 - CLOCK_SLACK_S,
                f"calls {i + 1}..{i + PER_MINUTE + 1} fell within {window:.2f}s: more than "
                f"{PER_MINUTE} in a minute\n{self.ai.summary()}")

        tightest = min(times[i + PER_MINUTE] - times[i] for i in range(len(times) - PER_MINUTE))
        print(f"\nprovider budget: {len(times)} calls in {times[-1] - times[0]:.1f}s, the "
              f"tightest {PER_MINUTE + 1} calls spanned {tightest:.2f}s; calls per worker "
              f"process {sorted(by_process.values())}", file=sys.stderr)

        # ---- the jobs' view: all succeeded on their first attempt; the wait was snoozes
        for job_id, (token, item_id) in jobs.items():
            job = self.job(token, job_id)
            self.assertEqual((job["state"], job["attempts"]), ("succeeded", 1), job)
            self.assertEqual(self.item(token, item_id)["status"], "generated", item_id)
        claims = {job_id: int(c) for job_id, c in psql_rows(
            self.db, f"SELECT id, claims FROM autoblog_core.jobs WHERE id IN ('{ids}')")}
        self.assertGreater(max(claims.values()), 1,
                           f"no job was snoozed: claims per job {claims}")
        for w in workers:
            self.assertEqual(w.stop(), 0, w.log())


if __name__ == "__main__":
    unittest.main()
