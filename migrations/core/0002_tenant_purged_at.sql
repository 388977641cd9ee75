-- Resumable tenant deletion: a deleted tenant's storage prefix and cache namespace are purged
-- after the deletion commits; purged_at records that the purge finished. A DELETE of a tenant
-- that is deleted but not purged finishes the purge. Tenants deleted before this column existed
-- were purged by the old code path right after their deletion.
ALTER TABLE autoblog_core.tenants ADD COLUMN purged_at timestamptz;
UPDATE autoblog_core.tenants SET purged_at = updated_at WHERE status = 'deleted';
ALTER TABLE autoblog_core.tenants ADD CONSTRAINT tenants_purged_only_when_deleted
  CHECK (purged_at IS NULL OR status = 'deleted');
