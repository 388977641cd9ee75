"""E2E: scheduled trend discovery (docs/trends.md, "Scheduled discovery").

Two server processes share one database, each with its own scheduler ticking every 100 ms and
with AUTOBLOG_SCHEDULER_HOUR_SECONDS=1 (the testing knob: one "hour" of sources.every_hours lasts
one second), so a brand with every_hours 1 has a period every second.

- a brand with feeds gets discover_trends jobs on its own, one per period: with both schedulers
  racing for every period of several tenants, no period has two jobs, the periods are whole
  steps of every_hours apart, and the nodes' enqueued counters add up to the jobs;
- auto_generate N starts exactly N generations, for the best (highest score) new items of the
  run, and stops quietly at the tier's daily quota (the job result says so);
- a brand without feeds has no schedule; a PUT removing the feeds stops it; a larger every_hours
  is re-planned from the last run; a suspended tenant is not scheduled, and when it is active
  again its missed periods run once, not once each.
"""
import unittest
from datetime import timedelta

from feed_server import FeedServer
from harness import (BRAND, ContentEngineHelpers, E2ETestCase, drop_database, fresh_database,
                     parse_ts, psql, psql_rows, wait_until)

ENV = {"AUTOBLOG_SCHEDULER_INTERVAL_MS": "100", "AUTOBLOG_SCHEDULER_HOUR_SECONDS": "1",
       "AUTOBLOG_EGRESS_ALLOW_PRIVATE": "1", "AUTOBLOG_JOB_POLL_MS": "100",
       "AUTOBLOG_JOB_RETRY_BASE_MS": "100", "AUTOBLOG_JOB_RETRY_MAX_MS": "500",
       "AUTOBLOG_TRENDS_FEED_TIMEOUT_MS": "3000"}

# Scores against BRAND's topics and keywords: title 3 points per term, summary 1.
SCORED_RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Scored</title>
<item><title>Coffee gear deals this week</title><link>https://s.example/d</link></item>
<item><title>Home espresso on an espresso machine for every home barista</title>
  <link>https://s.example/a</link></item>
<item><title>Coffee gear roundup for winter</title><link>https://s.example/c</link>
  <description>Tested by a home barista.</description></item>
<item><title>Home espresso with a new espresso machine</title><link>https://s.example/b</link></item>
</channel></rss>
"""
SCORES = {"https://s.example/a": 9, "https://s.example/b": 6, "https://s.example/c": 4,
          "https://s.example/d": 3}


def brand(feeds, every_hours=1, auto_generate=0):
    return {**BRAND, "sources": {"feeds": feeds, "every_hours": every_hours,
                                 "auto_generate": auto_generate}}


class SchedulerTest(ContentEngineHelpers, E2ETestCase):

    @classmethod
    def setUpClass(cls):
        cls.feeds = FeedServer().start()
        cls.addClassCleanup(cls.feeds.stop)
        cls.feeds.documents["/scored.xml"] = (SCORED_RSS.encode(), "application/xml")
        cls.db = fresh_database("scheduler")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db, workers=2, env=ENV)
        cls.server2 = cls.start_server(cls.db, workers=2, env=ENV,
                                       admin_token=cls.server.admin_token,
                                       jwt_secret=cls.server.jwt_secret)

    @classmethod
    def tearDownClass(cls):
        cls.stop_two_nodes()

    # ---- helpers

    def scheduled_jobs(self, tenant_id):
        """The tenant's discover_trends jobs: [(scheduled_for, id, state)] by period."""
        rows = psql_rows(self.db, "SELECT coalesce(payload->>'scheduled_for', ''), id, state "
                                  "FROM autoblog_core.jobs WHERE tenant_id = "
                                  f"'{tenant_id}' AND kind = 'discover_trends' ORDER BY 1, 2")
        return [tuple(r) for r in rows]

    def generate_jobs(self, tenant_id):
        return psql_rows(self.db, "SELECT payload->>'content_id', id FROM autoblog_core.jobs "
                                  f"WHERE tenant_id = '{tenant_id}' AND kind = 'generate_content'")

    def schedule_row(self, tenant_id):
        rows = psql_rows(self.db, "SELECT every_hours, coalesce(next_run_at::text, ''), "
                                  "coalesce(last_period::text, '') FROM "
                                  "autoblog_core.discovery_schedules WHERE tenant_id = "
                                  f"'{tenant_id}'")
        return rows[0] if rows else None

    def wait_periods(self, tenant_id, n, timeout=30):
        jobs = wait_until(lambda: len(self.scheduled_jobs(tenant_id)) >= n and
                          self.scheduled_jobs(tenant_id), timeout, 0.1)
        self.assertTrue(jobs, f"fewer than {n} scheduled runs within {timeout}s: "
                              f"{self.scheduled_jobs(tenant_id)}")
        return jobs

    def enqueued_metric(self, server):
        status, _, text = server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        for line in (text.decode() if isinstance(text, bytes) else text).splitlines():
            if line.startswith('autoblog_scheduler_runs_total{outcome="enqueued"}'):
                return float(line.split()[-1])
        self.fail("autoblog_scheduler_runs_total{outcome=\"enqueued\"} not in /metrics")

    def put_brand(self, token, body):
        status, _, stored = self.req("PUT", "/v1/brand", body, token=token)
        self.assertEqual(status, 200, stored)

    # ---- tests

    def test_each_period_runs_once_across_two_nodes(self):
        tenants = [self.engine_tenant(brand=brand([self.feeds.url("/rss.xml")]))[0]["id"]
                   for _ in range(4)]
        for t in tenants:
            self.wait_periods(t, 5)
        total = 0
        for t in tenants:
            with self.subTest(tenant=t):
                jobs = self.scheduled_jobs(t)
                periods = [p for p, _, _ in jobs]
                self.assertTrue(all(periods), f"only scheduled runs: {jobs}")
                self.assertEqual(len(periods), len(set(periods)), f"a period ran twice: {jobs}")
                times = [parse_ts(p) for p in periods]
                for a, b in zip(times, times[1:]):
                    step = b - a
                    self.assertGreaterEqual(step, timedelta(seconds=1), periods)
                    self.assertEqual(step % timedelta(seconds=1), timedelta(0),
                                     f"periods are whole steps of every_hours apart: {periods}")
                total += len(jobs)
        # Each node counts the periods it enqueued; together exactly the jobs (other tests'
        # tenants add theirs on both sides alike, so compare with every scheduled job).
        every = int(psql(self.db, "SELECT count(*) FROM autoblog_core.jobs "
                                  "WHERE payload ? 'scheduled_for'"))
        metric = self.enqueued_metric(self.server) + self.enqueued_metric(self.server2)
        self.assertGreaterEqual(every, total)
        self.assertLessEqual(abs(metric - every), 2 * len(tenants) + 8,
                             "counters and jobs can differ only by runs between the two reads")
        # The first run of a tenant created its items.
        first = self.scheduled_jobs(tenants[0])[0][1]
        token = self.server.tenant_token(tenants[0])
        done = self.wait_job(token, first)
        self.assertEqual(done["state"], "succeeded", done)
        self.assertEqual(done["result"]["created"], 2, done)
        self.assertEqual(done["result"]["scheduled_for"], self.scheduled_jobs(tenants[0])[0][0])
        self.assertNotIn("auto_generate", done["result"], "auto_generate 0: nothing generated")

    def test_auto_generate_starts_the_best_new_items(self):
        tenant, token = self.engine_tenant(
            brand=brand([self.feeds.url("/scored.xml")], auto_generate=2))
        jobs = self.wait_periods(tenant["id"], 2)
        first = self.wait_job(token, jobs[0][1])
        self.assertEqual(first["state"], "succeeded", first)
        result = first["result"]
        self.assertEqual(result["created"], 4, result)
        auto = result["auto_generate"]
        self.assertEqual((auto["requested"], auto["started"]), (2, 2), auto)
        self.assertNotIn("stopped", auto)
        started = {g["content_id"]: g["job_id"] for g in auto["generations"]}
        urls = {self.item(token, cid)["inspiration_data"]["canonical_url"] for cid in started}
        self.assertEqual(urls, {"https://s.example/a", "https://s.example/b"},
                         "the two best scores of the run")
        # A later period finds nothing new and generates nothing more.
        second = self.wait_job(token, jobs[1][1])
        self.assertEqual(second["result"]["created"], 0, second)
        self.assertEqual(second["result"]["auto_generate"]["started"], 0, second)
        gen = self.generate_jobs(tenant["id"])
        self.assertEqual({cid: jid for cid, jid in gen}, started, "exactly N generation jobs")
        for cid, jid in started.items():
            done = self.wait_job(token, jid, timeout=60)
            self.assertEqual(done["state"], "succeeded", done)
            self.assertEqual(self.item(token, cid)["status"], "generated")
        status, _, page = self.req("GET", "/v1/content?status=inspiration&limit=100", token=token)
        self.assertEqual(status, 200)
        self.assertEqual({i["inspiration_data"]["canonical_url"] for i in page["items"]},
                         {"https://s.example/c", "https://s.example/d"})

    def test_auto_generate_stops_quietly_at_the_daily_quota(self):
        tenant, token = self.engine_tenant(
            brand=brand([self.feeds.url("/scored.xml")], auto_generate=3),
            limits={"max_daily_content": 1})
        jobs = self.wait_periods(tenant["id"], 1)
        first = self.wait_job(token, jobs[0][1])
        self.assertEqual(first["state"], "succeeded", first)
        auto = first["result"]["auto_generate"]
        self.assertEqual((auto["requested"], auto["started"], auto.get("stopped")),
                         (3, 1, "quota_exceeded"), auto)
        (cid, _), = self.generate_jobs(tenant["id"])
        self.assertEqual(self.item(token, cid)["inspiration_data"]["canonical_url"],
                         "https://s.example/a")
        # The next periods stop at the quota as well, without failing.
        later = self.wait_job(token, self.wait_periods(tenant["id"], 2)[1][1])
        self.assertEqual(later["state"], "succeeded", later)
        self.assertEqual(len(self.generate_jobs(tenant["id"])), 1)

    def test_brands_without_feeds_are_not_scheduled_and_removing_feeds_stops_it(self):
        quiet, _ = self.engine_tenant(brand=brand([]))
        no_brand, _ = self.engine_tenant(brand=None)
        stopping, stop_token = self.engine_tenant(brand=brand([self.feeds.url("/rss.xml")]))
        control, _ = self.engine_tenant(brand=brand([self.feeds.url("/rss.xml")]))
        self.wait_periods(stopping["id"], 1)
        self.assertIsNone(self.schedule_row(quiet["id"]))
        self.put_brand(stop_token, brand([]))
        self.assertIsNone(self.schedule_row(stopping["id"]), "the PUT deleted the schedule")
        after_put = len(self.scheduled_jobs(stopping["id"]))
        # Three more periods of the control tenant: none for the others.
        seen = len(self.scheduled_jobs(control["id"]))
        self.wait_periods(control["id"], seen + 3)
        self.assertEqual(self.scheduled_jobs(quiet["id"]), [])
        self.assertEqual(self.scheduled_jobs(no_brand["id"]), [])
        self.assertEqual(len(self.scheduled_jobs(stopping["id"])), after_put)
        # Feeds listed again: scheduled again.
        self.put_brand(stop_token, brand([self.feeds.url("/rss.xml")]))
        self.wait_periods(stopping["id"], after_put + 1)

    def test_every_hours_change_is_replanned_from_the_last_run(self):
        tenant, token = self.engine_tenant(brand=brand([self.feeds.url("/rss.xml")],
                                                       every_hours=720))
        planned = wait_until(lambda: (self.schedule_row(tenant["id"]) or ["", ""])[1], 10)
        self.assertTrue(planned, "the scheduler planned the first period")
        self.assertEqual(psql(self.db, "SELECT next_run_at - created_at FROM "
                                       "autoblog_core.discovery_schedules WHERE tenant_id = "
                                       f"'{tenant['id']}'"), "00:12:00",
                         "720 one-second hours after the feeds were listed")
        # A PUT that keeps every_hours leaves the plan alone.
        self.put_brand(token, {**brand([self.feeds.url("/rss.xml")], every_hours=720),
                               "topics": ["coffee gear"]})
        self.assertEqual(self.schedule_row(tenant["id"])[1], planned)
        self.assertEqual(self.scheduled_jobs(tenant["id"]), [])
        # every_hours 1: due one second after the schedule began, which is past: it runs now.
        self.put_brand(token, brand([self.feeds.url("/rss.xml")], every_hours=1))
        self.wait_periods(tenant["id"], 2)

    def test_a_suspended_tenant_is_not_scheduled_and_catches_up_once(self):
        tenant, token = self.engine_tenant(brand=brand([self.feeds.url("/rss.xml")]))
        control, _ = self.engine_tenant(brand=brand([self.feeds.url("/rss.xml")]))
        self.wait_periods(tenant["id"], 1)
        status, _, body = self.admin("PATCH", f"/v1/admin/tenants/{tenant['id']}",
                                     {"status": "suspended"})
        self.assertEqual(status, 200, body)
        # A claim that read the tenant before the suspension committed may still enqueue: let
        # one period of the control tenant pass before counting.
        self.wait_periods(control["id"], len(self.scheduled_jobs(control["id"])) + 1)
        before = len(self.scheduled_jobs(tenant["id"]))
        self.wait_periods(control["id"], len(self.scheduled_jobs(control["id"])) + 4)
        self.assertEqual(len(self.scheduled_jobs(tenant["id"])), before,
                         "no period while suspended")
        status, _, body = self.admin("PATCH", f"/v1/admin/tenants/{tenant['id']}",
                                     {"status": "active"})
        self.assertEqual(status, 200, body)
        self.wait_periods(tenant["id"], before + 1)
        jobs = self.scheduled_jobs(tenant["id"])
        # The missed periods became one run, of the latest of them (run one by one, the first
        # would have come one period after the last run before the suspension).
        gap = parse_ts(jobs[before][0]) - parse_ts(jobs[before - 1][0])
        self.assertGreaterEqual(gap, timedelta(seconds=4), jobs)


if __name__ == "__main__":
    unittest.main()
