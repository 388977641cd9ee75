-- Performance over a period for the whole tenant (GET /v1/performance/top) reads records by time,
-- not by item: without this index it would read every record the tenant ever sent.
CREATE INDEX content_performance_time ON content_performance (tracked_at);
