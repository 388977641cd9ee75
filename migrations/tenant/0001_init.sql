-- A tenant's own tables: the seed's brand_configs, content_pipelines and content_performance.
-- Runs with search_path set to the tenant schema only, so names are unqualified.
CREATE TABLE brand_configs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  voice_tone jsonb NOT NULL,
  topics jsonb NOT NULL,
  visual_style jsonb,
  seo_strategy jsonb,
  publishing_config jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One brand configuration per tenant.
CREATE UNIQUE INDEX brand_configs_one_per_tenant ON brand_configs ((true));

CREATE TABLE content_pipelines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status autoblog_core.content_status NOT NULL DEFAULT 'inspiration',
  inspiration_data jsonb,
  content_brief jsonb,
  generated_content jsonb,
  visual_assets jsonb,
  quality_scores jsonb,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_pipelines_page ON content_pipelines (created_at DESC, id DESC);
CREATE INDEX content_pipelines_status_page ON content_pipelines (status, created_at DESC, id DESC);

CREATE TABLE content_performance (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  content_id uuid NOT NULL REFERENCES content_pipelines (id) ON DELETE CASCADE,
  metrics jsonb NOT NULL,
  tracked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_performance_page ON content_performance (content_id, tracked_at DESC, id DESC);
