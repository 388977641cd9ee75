-- Publishing: what happened at each publishing target, per item, and what the hosted blog reads.
-- publications: {"<target key>": {"status", "remote_id", "url", "published_at", "error", ...}},
-- one entry per target of the brand's publishing_config (the hosted blog's key is "hosted").
ALTER TABLE content_pipelines ADD COLUMN publications jsonb NOT NULL DEFAULT '{}'::jsonb;
-- The hosted blog's index, feed and sitemap: published posts, newest first.
CREATE INDEX content_pipelines_published ON content_pipelines (published_at DESC, id DESC)
  WHERE status = 'published';
