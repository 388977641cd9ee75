-- What wrote each article: provider, model, tokens, duration, image, and whether a person has
-- edited it since (the content engine writes it; PATCH of generated_content marks the edit).
ALTER TABLE content_pipelines ADD COLUMN generation jsonb;
-- One slug per tenant: the hosted blog serves /posts/{slug}. The engine picks a free slug and
-- this index settles the race between two generations choosing the same one at once.
CREATE UNIQUE INDEX content_pipelines_slug ON content_pipelines ((generated_content ->> 'slug'))
  WHERE generated_content ->> 'slug' IS NOT NULL;
