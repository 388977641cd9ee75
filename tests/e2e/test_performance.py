"""E2E: performance tracking — batches of records, sums per bucket over a period, the tenant's
items ranked by a metric (docs/api.md "Performance"). One server, no job workers."""
from __future__ import annotations

import unittest

from harness import E2ETestCase, drop_database, fresh_database, random_uuid


class PerformanceTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("performance")
        cls.addClassCleanup(drop_database, cls.db)
        cls.server = cls.start_server(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server_checked()

    def tenant(self):
        return self.server.new_tenant_with_token("starter")[1]

    def item(self, token) -> str:
        status, _, body = self.req("POST", "/v1/content", {"inspiration_data": {"idea": "x"}},
                                   token=token)
        self.assertEqual(status, 201, body)
        return body["id"]

    def batch(self, token, item, records, expected=201):
        status, _, body = self.req("POST", f"/v1/content/{item}/performance",
                                   {"records": records}, token=token)
        self.assertEqual(status, expected, body)
        return body

    def test_a_batch_is_stored_in_one_request(self):
        token = self.tenant()
        item = self.item(token)
        body = self.batch(token, item, [{"metrics": {"views": i}} for i in range(1, 251)])
        self.assertEqual(body, {"content_id": item, "inserted": 250})
        status, _, page = self.req("GET", f"/v1/content/{item}/performance?limit=100",
                                   token=token)
        self.assertEqual(status, 200, page)
        self.assertEqual(len(page["items"]), 100)
        self.assertIsNotNone(page["next_cursor"])

    def test_daily_sums_list_every_day_of_the_period(self):
        token = self.tenant()
        item = self.item(token)
        self.batch(token, item, [
            {"metrics": {"views": 10, "clicks": 1}, "tracked_at": "2026-03-01T08:00:00Z"},
            {"metrics": {"views": 5, "ctr": 0.5}, "tracked_at": "2026-03-01T23:59:59Z"},
            # Other time zones count on their UTC day: this is 2026-03-02T23:30:00Z.
            {"metrics": {"views": 7}, "tracked_at": "2026-03-03T01:30:00+02:00"},
            # Not numbers: not summed, nothing breaks.
            {"metrics": {"views": "many", "source": {"google": 3}}, "tracked_at": "2026-03-02T10:00:00Z"},
            # Outside the period: [from, to).
            {"metrics": {"views": 1000}, "tracked_at": "2026-03-04T00:00:00Z"},
            {"metrics": {"views": 1000}, "tracked_at": "2026-02-28T23:59:59Z"},
        ])
        status, _, s = self.req(
            "GET", f"/v1/content/{item}/performance?bucket=day"
                   f"&from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z", token=token)
        self.assertEqual(status, 200, s)
        self.assertEqual(s["bucket"], "day")
        self.assertEqual(s["content_id"], item)
        self.assertTrue(s["from"].startswith("2026-03-01T00:00:00"), s)
        self.assertTrue(s["to"].startswith("2026-03-04T00:00:00"), s)
        self.assertEqual([b["start"][:10] for b in s["series"]],
                         ["2026-03-01", "2026-03-02", "2026-03-03"])
        self.assertEqual(s["series"][0]["metrics"], {"views": 15, "clicks": 1, "ctr": 0.5})
        self.assertEqual(s["series"][1]["metrics"], {"views": 7})
        self.assertEqual(s["series"][2]["metrics"], {})

        status, _, h = self.req(
            "GET", f"/v1/content/{item}/performance?bucket=hour"
                   f"&from=2026-03-01T08:00:00Z&to=2026-03-01T10:00:00Z", token=token)
        self.assertEqual(status, 200, h)
        self.assertEqual([(b["start"][11:13], b["metrics"]) for b in h["series"]],
                         [("08", {"views": 10, "clicks": 1}), ("09", {})])

    def test_bad_periods_and_buckets_are_refused(self):
        token = self.tenant()
        item = self.item(token)
        path = f"/v1/content/{item}/performance"
        for query, why in (
                ("bucket=month", "unknown bucket"),
                ("bucket=day&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "from after to"),
                ("bucket=day&from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z", "empty period"),
                ("bucket=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "hours over 31 days"),
                ("bucket=day&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "days over 366 days"),
                ("bucket=day&from=yesterday", "not a date-time")):
            with self.subTest(why=why):
                self.assertError(self.req("GET", f"{path}?{query}", token=token), 400,
                                 "invalid_request", why)

    def test_bad_batches_change_nothing(self):
        token = self.tenant()
        item = self.item(token)
        path = f"/v1/content/{item}/performance"
        for body, why in (({"records": []}, "empty batch"),
                          ({"records": [{"metrics": {"views": 1}}] * 1001}, "over 1 000"),
                          ({"records": [{"metrics": {"views": 1}}], "metrics": {"views": 1}},
                           "both forms"),
                          ({}, "neither form"),
                          ({"records": [{"metrics": {"views": 1}, "tracked_at": "soon"}]},
                           "a bad timestamp"),
                          ({"records": [{"views": 1}]}, "a record without metrics")):
            with self.subTest(why=why):
                self.assertError(self.req("POST", path, body, token=token), 400,
                                 "invalid_request", why)
        status, _, page = self.req("GET", path, token=token)
        self.assertEqual(page["items"], [], "a refused batch stores nothing")
        self.assertError(self.req("POST", f"/v1/content/{random_uuid()}/performance",
                                  {"records": [{"metrics": {"views": 1}}]}, token=token),
                         404, "not_found")
        self.assertError(self.req("GET", f"/v1/content/{random_uuid()}/performance?bucket=day",
                                  token=token), 404, "not_found")

    def test_top_ranks_the_tenants_items_only(self):
        token = self.tenant()
        a, b, c = self.item(token), self.item(token), self.item(token)
        self.batch(token, a, [{"metrics": {"views": 10}}, {"metrics": {"views": 5}}])
        self.batch(token, b, [{"metrics": {"views": 30, "clicks": 2}}])
        self.batch(token, c, [{"metrics": {"clicks": 9}}])  # no views: not ranked by views
        # Another tenant's far more viewed item never appears, nor does its id reach us.
        other = self.tenant()
        self.batch(other, self.item(other), [{"metrics": {"views": 10 ** 6}}])

        status, _, top = self.req("GET", "/v1/performance/top", token=token)
        self.assertEqual(status, 200, top)
        self.assertEqual(top["metric"], "views")
        self.assertEqual([(i["content_id"], i["total"]) for i in top["items"]], [(b, 30), (a, 15)])
        self.assertEqual(top["items"][0]["status"], "inspiration")
        self.assertIsNone(top["items"][0]["title"])

        status, _, top = self.req("GET", "/v1/performance/top?metric=clicks&limit=1", token=token)
        self.assertEqual([(i["content_id"], i["total"]) for i in top["items"]], [(c, 9)])
        # A period without data ranks nothing.
        status, _, top = self.req(
            "GET", "/v1/performance/top?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z",
            token=token)
        self.assertEqual((status, top["items"]), (200, []))
        for query, why in (("metric=views%3Bdrop", "metric with a ';'"), ("limit=0", "limit 0"),
                           ("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "bad period")):
            with self.subTest(why=why):
                self.assertError(self.req("GET", f"/v1/performance/top?{query}", token=token),
                                 400, "invalid_request", why)


if __name__ == "__main__":
    unittest.main()
