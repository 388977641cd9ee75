-- Trend discovery: where a brand's inspiration comes from, and what keeps it from arriving twice.
ALTER TABLE brand_configs ADD COLUMN sources jsonb;
-- One inspiration item per page and per near-identical title, whichever run (or two concurrent
-- runs) found it: discovery inserts with ON CONFLICT DO NOTHING against these indexes, so the
-- database settles the race rather than a check before the insert. Items whose inspiration_data
-- lacks the keys are not constrained; one made by hand that repeats a key is refused (409).
CREATE UNIQUE INDEX content_pipelines_canonical_url
  ON content_pipelines ((inspiration_data ->> 'canonical_url'))
  WHERE inspiration_data ->> 'canonical_url' IS NOT NULL;
CREATE UNIQUE INDEX content_pipelines_title_key
  ON content_pipelines ((inspiration_data ->> 'title_key'))
  WHERE inspiration_data ->> 'title_key' IS NOT NULL;
